#include "guard.h"

#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mmapkit {
namespace guard {

namespace {

// Up to this many guarded ranges at once: more than the kernel's default map-count limit
// (65530) allows anyway. The array is in .bss: untouched slots cost no memory.
constexpr size_t kSlots = 65536;

// Per-page protection records: 0 means "the range's initial protection"; otherwise the
// PROT_* bits | kRecordSet, plus kRepaired once the guard has repaired the page.
constexpr uint8_t kProtectionBits = 0x07;
constexpr uint8_t kRepaired = 0x40;
constexpr uint8_t kRecordSet = 0x80;

constexpr uint32_t kShared = 1;
constexpr uint32_t kFile = 2;

struct RecordCell {
  std::atomic<uint32_t> ready;
  std::atomic<uint32_t> kind;
  std::atomic<uint64_t> offset;
  std::atomic<int64_t> time_nanoseconds;
};

// Every field is atomic: the signal handler reads slots while JavaScript threads register
// and unregister ranges. `start` is published last (release) and cleared first.
struct Slot {
  std::atomic<uintptr_t> start;
  std::atomic<size_t> length;
  std::atomic<int> fd;
  std::atomic<int64_t> file_offset;
  std::atomic<uint32_t> flags;
  std::atomic<uint32_t> initial_protection;
  std::atomic<std::atomic<uint8_t>*> pages;
  // Byte offset from which the tail was replaced after a truncation (SIZE_MAX: never).
  std::atomic<size_t> tail_from;
  // Handlers running on this slot: Unregister waits for them before the range goes.
  std::atomic<uint32_t> in_handler;
  std::atomic<uint32_t> claimed_records;
  std::atomic<uint32_t> fault_count;
  std::atomic<std::atomic<uint32_t>*> epoch;
  RecordCell records[kRecordedFaults];
};

Slot slots[kSlots];
// Slots [0, used_slots) may be in use: the handler scans only those.
std::atomic<size_t> used_slots{0};
// Only touched under `registry_mutex` (never by the handler).
bool slot_taken[kSlots];
std::mutex registry_mutex;

std::atomic<size_t> page_size{4096};

// What the handler chains to, per signal. Published through a small ring so the handler
// never reads a half-written struct while Install() runs on another thread.
struct ChainTarget {
  struct sigaction original;  // found at the first installation
  struct sigaction latest;    // found at the latest (re-)installation
  bool latest_is_listener;    // `latest` is libuv's handler for a process.on() listener
};
constexpr int kChainRing = 8;
struct SignalState {
  ChainTarget ring[kChainRing];
  std::atomic<int> current{0};
  bool installed = false;
};
SignalState segv_state;
SignalState bus_state;
std::mutex install_mutex;

SignalState& StateOf(int signal) { return signal == SIGBUS ? bus_state : segv_state; }

size_t RoundUp(size_t value, size_t page) { return (value + page - 1) & ~(page - 1); }

int64_t RealtimeNanoseconds() {
  struct timespec now;
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) return 0;  // async-signal-safe (POSIX)
  return static_cast<int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec;
}

void RecordFault(Slot& slot, uint32_t kind, uint64_t offset) {
  uint32_t index = slot.claimed_records.fetch_add(1);
  if (index < kRecordedFaults) {
    RecordCell& cell = slot.records[index];
    cell.kind.store(kind, std::memory_order_relaxed);
    cell.offset.store(offset, std::memory_order_relaxed);
    cell.time_nanoseconds.store(RealtimeNanoseconds(), std::memory_order_relaxed);
    cell.ready.store(1, std::memory_order_release);
  }
  // Counted after the record is written: a reader that sees the count sees the record.
  slot.fault_count.fetch_add(1, std::memory_order_release);
  std::atomic<uint32_t>* epoch = slot.epoch.load(std::memory_order_relaxed);
  if (epoch != nullptr) epoch->fetch_add(1, std::memory_order_release);
}

// Direct system calls: no libc wrapper (and so no lock or errno games beyond syscall()'s).
bool ZeroPages(uintptr_t address, size_t length) {
  long result = syscall(SYS_mmap, reinterpret_cast<void*>(address), length, PROT_READ | PROT_WRITE,
                        MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return result == static_cast<long>(address);
}

bool CopyOnWritePage(uintptr_t address, size_t length, int protection, int fd, int64_t file_offset) {
  long result = syscall(SYS_mmap, reinterpret_cast<void*>(address), length, protection, MAP_FIXED | MAP_PRIVATE, fd,
                        static_cast<off_t>(file_offset));
  return result == static_cast<long>(address);
}

bool ProtectPage(uintptr_t address, size_t length, int protection) {
  return syscall(SYS_mprotect, reinterpret_cast<void*>(address), length, protection) == 0;
}

int EffectiveProtection(const Slot& slot, uint8_t record) {
  return record == 0 ? static_cast<int>(slot.initial_protection.load(std::memory_order_relaxed))
                     : (record & kProtectionBits);
}

void MarkRepaired(std::atomic<uint8_t>* pages, size_t first, size_t last, int protection) {
  uint8_t value = static_cast<uint8_t>(kRecordSet | kRepaired | (protection & kProtectionBits));
  for (size_t page = first; page < last; page++) pages[page].store(value, std::memory_order_relaxed);
}

// SIGBUS inside a range: past the end of a truncated file, or a page the kernel could not
// supply (I/O error, no space for a page of a sparse file on tmpfs).
bool RepairBus(Slot& slot, uintptr_t start, size_t length, uintptr_t address) {
  size_t page = page_size.load(std::memory_order_relaxed);
  size_t page_offset = (address - start) & ~(page - 1);
  uint32_t flags = slot.flags.load(std::memory_order_relaxed);
  int fd = slot.fd.load(std::memory_order_relaxed);
  std::atomic<uint8_t>* pages = slot.pages.load(std::memory_order_relaxed);
  if (fd >= 0) {
    struct stat status;
    if (syscall(SYS_fstat, fd, &status) == 0 && S_ISREG(status.st_mode)) {
      int64_t valid = static_cast<int64_t>(status.st_size) - slot.file_offset.load(std::memory_order_relaxed);
      size_t tail = valid <= 0 ? 0 : RoundUp(static_cast<size_t>(valid), page);
      if (page_offset >= tail) {
        if (!ZeroPages(start + tail, length - tail)) return false;
        size_t previous = slot.tail_from.load(std::memory_order_relaxed);
        if (tail < previous) slot.tail_from.store(tail, std::memory_order_relaxed);
        RecordFault(slot, kTruncated, address - start);
        return true;
      }
    }
  }
  if (!ZeroPages(start + page_offset, page)) return false;
  MarkRepaired(pages, page_offset / page, page_offset / page + 1, PROT_READ | PROT_WRITE);
  // A file whose size cannot be read here (no descriptor): most likely truncated.
  RecordFault(slot, (flags & kFile) != 0 && fd < 0 ? kTruncated : kIoError, address - start);
  return true;
}

// SIGSEGV inside a range: a write to a read-only page, an access to a PROT_NONE page, or a
// page that someone unmapped behind mmapkit's back.
bool RepairSegv(Slot& slot, uintptr_t start, size_t length, uintptr_t address, int code) {
  size_t page = page_size.load(std::memory_order_relaxed);
  size_t page_offset = (address - start) & ~(page - 1);
  size_t page_index = page_offset / page;
  // Past a repaired tail every page is writable anonymous memory: a fault there is not one
  // the guard can explain.
  if (page_offset >= slot.tail_from.load(std::memory_order_relaxed)) return false;
  std::atomic<uint8_t>* pages = slot.pages.load(std::memory_order_relaxed);
  if (code == SEGV_MAPERR) {
    if (!ZeroPages(start + page_offset, page)) return false;
    MarkRepaired(pages, page_index, page_index + 1, PROT_READ | PROT_WRITE);
    RecordFault(slot, kAccessRevoked, address - start);
    return true;
  }
  if (code != SEGV_ACCERR) return false;
  uint8_t record = pages[page_index].load(std::memory_order_relaxed);
  // Repaired once already and faulting again: the repair did not hold; let it crash.
  if ((record & kRepaired) != 0) return false;
  int protection = EffectiveProtection(slot, record);
  if ((protection & PROT_READ) == 0) {
    // The whole run of pages with the same record becomes zero pages in one mapping.
    size_t pages_total = length / page;
    size_t tail_page = std::min(pages_total, slot.tail_from.load(std::memory_order_relaxed) / page);
    size_t first = page_index;
    while (first > 0 && pages[first - 1].load(std::memory_order_relaxed) == record) first--;
    size_t last = page_index + 1;
    while (last < tail_page && pages[last].load(std::memory_order_relaxed) == record) last++;
    if (!ZeroPages(start + first * page, (last - first) * page)) return false;
    MarkRepaired(pages, first, last, PROT_READ | PROT_WRITE);
    RecordFault(slot, kAccessRevoked, address - start);
    return true;
  }
  if ((protection & PROT_WRITE) != 0) return false;  // writable and still faulting: not ours
  int writable = PROT_READ | PROT_WRITE | (protection & PROT_EXEC);
  uint32_t flags = slot.flags.load(std::memory_order_relaxed);
  int fd = slot.fd.load(std::memory_order_relaxed);
  bool repaired;
  if ((flags & kShared) != 0 && (flags & kFile) != 0) {
    // A shared file page must never become writable: remap it copy-on-write from the file
    // (other pages keep seeing other processes' updates), or zeros without a descriptor.
    repaired = fd >= 0 ? CopyOnWritePage(start + page_offset, page, writable, fd,
                                         slot.file_offset.load(std::memory_order_relaxed) + static_cast<int64_t>(page_offset))
                       : ZeroPages(start + page_offset, page);
  } else {
    // Private or anonymous memory: a write never reaches a file; let it land in the page.
    repaired = ProtectPage(start + page_offset, page, writable);
  }
  if (!repaired) return false;
  MarkRepaired(pages, page_index, page_index + 1, writable);
  RecordFault(slot, kReadOnlyWrite, address - start);
  return true;
}

// Finds the slot owning `address` and marks a handler as running on it.
Slot* Enter(uintptr_t address, uintptr_t* start_out, size_t* length_out) {
  size_t count = used_slots.load(std::memory_order_acquire);
  for (size_t index = 0; index < count; index++) {
    Slot& slot = slots[index];
    uintptr_t start = slot.start.load(std::memory_order_acquire);
    if (start == 0 || address < start) continue;
    size_t length = slot.length.load(std::memory_order_relaxed);
    if (address - start >= length) continue;
    slot.in_handler.fetch_add(1, std::memory_order_seq_cst);
    if (slot.start.load(std::memory_order_seq_cst) != start) {
      slot.in_handler.fetch_sub(1, std::memory_order_seq_cst);
      continue;
    }
    *start_out = start;
    *length_out = length;
    return &slot;
  }
  return nullptr;
}

bool Repair(int signal, siginfo_t* info) {
  uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
  uintptr_t start = 0;
  size_t length = 0;
  Slot* slot = Enter(address, &start, &length);
  if (slot == nullptr) return false;
  bool repaired = signal == SIGBUS ? RepairBus(*slot, start, length, address)
                                   : RepairSegv(*slot, start, length, address, info->si_code);
  slot->in_handler.fetch_sub(1, std::memory_order_seq_cst);
  return repaired;
}

void Chain(int signal, siginfo_t* info, void* context) {
  SignalState& state = StateOf(signal);
  const ChainTarget& target = state.ring[state.current.load(std::memory_order_acquire)];
  bool from_kernel = info != nullptr && info->si_code > 0;
  // A libuv listener handler only sets a flag and returns: for a hardware fault that means
  // running the faulting access again forever. Such faults go to the original handler.
  const struct sigaction& action = from_kernel && target.latest_is_listener ? target.original : target.latest;
  if ((action.sa_flags & SA_SIGINFO) != 0) {
    if (action.sa_sigaction != nullptr) {
      action.sa_sigaction(signal, info, context);
      return;
    }
  } else if (action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN) {
    action.sa_handler(signal);
    return;
  } else if (action.sa_handler == SIG_IGN && !from_kernel) {
    return;
  }
  // The default action: restore it; a fault then happens again when this handler returns
  // and ends the process as it would have without mmapkit; a sent signal is raised again.
  struct sigaction default_action;
  std::memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signal, &default_action, nullptr);
  if (!from_kernel) raise(signal);
}

void Handle(int signal, siginfo_t* info, void* context) {
  int saved_errno = errno;
  bool repaired = info != nullptr && info->si_code > 0 && Repair(signal, info);
  errno = saved_errno;
  if (!repaired) Chain(signal, info, context);
}

bool IsOurs(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) != 0 && action.sa_sigaction == Handle;
}

bool InstallOne(int signal, bool replaced_by_listener) {
  SignalState& state = StateOf(signal);
  struct sigaction current;
  if (sigaction(signal, nullptr, &current) != 0) return false;
  if (state.installed && IsOurs(current)) return true;
  int now = state.current.load(std::memory_order_relaxed);
  ChainTarget next = state.ring[now];
  if (!state.installed || IsOurs(current)) {
    if (!state.installed && !IsOurs(current)) {
      next.latest = current;
      next.latest_is_listener = replaced_by_listener;
      next.original = current;
      if (replaced_by_listener) {
        // libuv's handler already replaced Node's (which is lost): faults that are not
        // mmapkit's get the default action, a crash, rather than running again forever.
        std::memset(&next.original, 0, sizeof(next.original));
        next.original.sa_handler = SIG_DFL;
      }
    }
  } else if ((current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL) {
    // libuv resets the default when the last listener goes: what was there before it.
    next.latest = next.original;
    next.latest_is_listener = false;
  } else {
    next.latest = current;
    next.latest_is_listener = replaced_by_listener;
  }
  int following = (now + 1) % kChainRing;
  state.ring[following] = next;
  state.current.store(following, std::memory_order_release);

  struct sigaction ours;
  std::memset(&ours, 0, sizeof(ours));
  ours.sa_sigaction = Handle;
  ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  if (sigaction(signal, &ours, nullptr) != 0) return false;
  state.installed = true;
  return true;
}

// The handler lives in this shared object: once it is installed, the object must never be
// unloaded. Node unloads an addon when the last environment that loaded it goes (a worker
// thread exiting, when only workers loaded it), but the process-wide handler stays: the
// next fault of any kind (a WebAssembly bounds trap, a foreign crash) would jump into
// unmapped code. Opening ourselves again with RTLD_NODELETE pins the object for the life
// of the process (binding.gyp also links with -z nodelete on Linux, for the same reason).
// The handle is deliberately never closed.
bool PinThisObject() {
  static bool pinned = false;
  if (pinned) return true;
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&Handle), &self) == 0 || self.dli_fname == nullptr) return false;
  pinned = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nullptr;
  return pinned;
}

}  // namespace

bool Install(bool segv_listener, bool bus_listener) {
  std::lock_guard<std::mutex> lock(install_mutex);
  // Before any sigaction: a handler must never be installed from an object that can go.
  if (!PinThisObject()) return false;
  page_size.store(static_cast<size_t>(sysconf(_SC_PAGESIZE)), std::memory_order_relaxed);
  bool segv = InstallOne(SIGSEGV, segv_listener);
  bool bus = InstallOne(SIGBUS, bus_listener);
  return segv && bus;
}

void UninstallForTesting() {
  std::lock_guard<std::mutex> lock(install_mutex);
  for (int signal : {SIGSEGV, SIGBUS}) {
    SignalState& state = StateOf(signal);
    if (!state.installed) continue;
    const ChainTarget& target = state.ring[state.current.load(std::memory_order_relaxed)];
    sigaction(signal, &target.original, nullptr);
    state.installed = false;
  }
}

int Register(uint8_t* address, size_t length, bool file, int fd, int64_t file_offset, bool shared, int protection,
             std::atomic<uint32_t>* epoch) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t rounded = RoundUp(length, page);
  // One record byte per page, zero (= the initial protection) until protect() changes it.
  // calloc: small tables come from the heap (fast), large ones are lazily-zeroed mmaps.
  void* records = std::calloc(rounded / page, sizeof(std::atomic<uint8_t>));
  if (records == nullptr) {
    if (fd >= 0) close(fd);
    return -1;
  }
  std::lock_guard<std::mutex> lock(registry_mutex);
  size_t index = 0;
  while (index < kSlots && slot_taken[index]) index++;
  if (index == kSlots) {
    std::free(records);
    if (fd >= 0) close(fd);
    return -1;
  }
  slot_taken[index] = true;
  Slot& slot = slots[index];
  slot.length.store(rounded, std::memory_order_relaxed);
  slot.fd.store(fd, std::memory_order_relaxed);
  slot.file_offset.store(file_offset, std::memory_order_relaxed);
  slot.flags.store((shared ? kShared : 0) | (file ? kFile : 0), std::memory_order_relaxed);
  slot.initial_protection.store(static_cast<uint32_t>(protection), std::memory_order_relaxed);
  slot.pages.store(static_cast<std::atomic<uint8_t>*>(records), std::memory_order_relaxed);
  slot.tail_from.store(SIZE_MAX, std::memory_order_relaxed);
  slot.claimed_records.store(0, std::memory_order_relaxed);
  slot.fault_count.store(0, std::memory_order_relaxed);
  slot.epoch.store(epoch, std::memory_order_relaxed);
  for (RecordCell& cell : slot.records) cell.ready.store(0, std::memory_order_relaxed);
  slot.start.store(reinterpret_cast<uintptr_t>(address), std::memory_order_seq_cst);
  if (index + 1 > used_slots.load(std::memory_order_relaxed)) used_slots.store(index + 1, std::memory_order_release);
  return static_cast<int>(index);
}

void Unregister(int index) {
  if (index < 0) return;
  Slot& slot = slots[index];
  slot.start.store(0, std::memory_order_seq_cst);
  // A handler that entered before the store finishes its repair first.
  while (slot.in_handler.load(std::memory_order_seq_cst) != 0) sched_yield();
  std::free(slot.pages.exchange(nullptr, std::memory_order_relaxed));
  int fd = slot.fd.exchange(-1, std::memory_order_relaxed);
  if (fd >= 0) close(fd);
  std::lock_guard<std::mutex> lock(registry_mutex);
  slot_taken[index] = false;
}

void SetProtection(int index, size_t offset, size_t length, int protection) {
  if (index < 0) return;
  Slot& slot = slots[index];
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::atomic<uint8_t>* pages = slot.pages.load(std::memory_order_relaxed);
  size_t last = std::min(RoundUp(offset + length, page), slot.length.load(std::memory_order_relaxed)) / page;
  uint8_t value = static_cast<uint8_t>(kRecordSet | (protection & kProtectionBits));
  for (size_t index_page = offset / page; index_page < last; index_page++) {
    pages[index_page].store(value, std::memory_order_relaxed);
  }
}

uint32_t FaultCount(int index) {
  if (index < 0) return 0;
  return slots[index].fault_count.load(std::memory_order_acquire);
}

size_t CopyFaults(int index, FaultRecord* records) {
  if (index < 0) return 0;
  Slot& slot = slots[index];
  size_t copied = 0;
  for (const RecordCell& cell : slot.records) {
    if (cell.ready.load(std::memory_order_acquire) == 0) continue;
    records[copied++] = FaultRecord{cell.kind.load(std::memory_order_relaxed), cell.offset.load(std::memory_order_relaxed),
                                    cell.time_nanoseconds.load(std::memory_order_relaxed)};
  }
  return copied;
}

void FaultOutsideForTesting() {
  void* page = mmap(nullptr, static_cast<size_t>(sysconf(_SC_PAGESIZE)), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return;
  *static_cast<volatile uint8_t*>(page) = 1;
}

}  // namespace guard
}  // namespace mmapkit
