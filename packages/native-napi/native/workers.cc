#include "workers.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "constants.h"
#include "errors.h"
#include "mapping.h"
#include "region.h"

namespace mmapkit {

namespace {

// Prefetch works in steps of this many bytes and checks `closing` between them.
constexpr size_t kPrefetchStep = 16 * 1024 * 1024;

// The plain data a job works on. Only `address`, `length` and the atomics of the region
// are read off the main thread.
struct Baton {
  Region* region;
  uint8_t* address;
  size_t length;
  int error_number = 0;
  const char* syscall = nullptr;
};

class RegionJob : public Napi::AsyncWorker {
 public:
  RegionJob(Napi::Env env, const char* name, Region* region, size_t offset, size_t length)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)),
        baton_{region, region->address + offset, length} {
    region->Ref();
    region->pending_jobs++;
  }

  // Runs on the main thread (after OnOK, or when the environment is torn down).
  ~RegionJob() override {
    baton_.region->pending_jobs--;
    Region::Unref(baton_.region);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void OnOK() override {
    Napi::Env env = Env();
    if (baton_.error_number == 0) {
      deferred_.Resolve(env.Undefined());
    } else {
      deferred_.Resolve(SystemFailure(env, baton_.syscall, baton_.error_number));
    }
  }

  void Fail(const char* syscall, int error_number) {
    baton_.syscall = syscall;
    baton_.error_number = error_number;
  }

  Napi::Promise::Deferred deferred_;
  Baton baton_;
};

class SyncJob : public RegionJob {
 public:
  SyncJob(Napi::Env env, Region* region, size_t offset, size_t length)
      : RegionJob(env, "mmapkit:syncAsync", region, offset, length) {}

 protected:
  void Execute() override {
    if (msync(baton_.address, baton_.length, MS_SYNC) != 0) Fail("msync", errno);
  }
};

class PrefetchJob : public RegionJob {
 public:
  PrefetchJob(Napi::Env env, Region* region, size_t offset, size_t length)
      : RegionJob(env, "mmapkit:prefetch", region, offset, length) {}

 protected:
  void Execute() override {
    bool populate = true;
    size_t page_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    for (size_t done = 0; done < baton_.length;) {
      if (baton_.region->closing.load()) return;
      size_t step = std::min(kPrefetchStep, baton_.length - done);
      uint8_t* start = baton_.address + done;
      if (populate) {
        if (madvise(start, step, MADV_POPULATE_READ) == 0) {
          done += step;
          continue;
        }
        if (errno == EINTR || errno == EAGAIN) continue;
        // EINVAL: a kernel before 5.14. Anything else is a real failure (EFAULT or ENOMEM
        // where a page cannot be read: PROT_NONE, or past the end of a truncated file).
        if (errno != EINVAL) return Fail("madvise", errno);
        populate = false;
      }
      if (madvise(start, step, MADV_WILLNEED) != 0) return Fail("madvise", errno);
      // Touching an unreadable page would kill the process: only touch when every page is
      // readable. (The kernel still reads ahead for WILLNEED.)
      if (!baton_.region->all_readable.load()) {
        done += step;
        continue;
      }
      volatile uint8_t sink = 0;
      for (size_t offset = 0; offset < step; offset += page_size) sink = sink + start[offset];
      (void)sink;
      done += step;
    }
  }
};

size_t SizeArgument(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<size_t>(info[index].As<Napi::Number>().DoubleValue());
}

template <typename Job>
Napi::Value Queue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Region* region = OpenRegionArgument(info, 0);
  if (region == nullptr) return env.Undefined();
  Job* job = new Job(env, region, SizeArgument(info, 1), SizeArgument(info, 2));
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

}  // namespace

void InitWorkers(Napi::Env env, Napi::Object exports) {
  exports.Set("syncAsync", Napi::Function::New(env, Queue<SyncJob>, "syncAsync"));
  exports.Set("prefetch", Napi::Function::New(env, Queue<PrefetchJob>, "prefetch"));
}

}  // namespace mmapkit
