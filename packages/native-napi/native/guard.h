// The fault guard: one process-wide SIGBUS/SIGSEGV handler that owns only addresses inside
// ranges registered here and chains every other fault to the handler that was installed
// before it (Node's WebAssembly trap handler, or the default action).
//
// A fault inside a registered range is repaired so that the access completes harmlessly:
// - SIGBUS past the end of a truncated file: the whole tail past the file's new end is
//   replaced by one MAP_FIXED anonymous private mapping (reads give 0, writes go nowhere);
// - a write to a read-only page: that page is remapped copy-on-write from the file (shared
//   file mappings) or made writable (private and anonymous mappings, whose writes never
//   reach a file anyway);
// - an access to a PROT_NONE page: the run of PROT_NONE pages around it becomes zero pages.
// Each repair is recorded as an event of the range; the JavaScript layer reports it.
//
// The registry is a fixed array of slots read with atomics only, so the handler needs no
// lock and no allocation; it calls the kernel directly (syscall) for mmap/mprotect/fstat.
#ifndef MMAPKIT_NATIVE_GUARD_H
#define MMAPKIT_NATIVE_GUARD_H

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mmapkit {
namespace guard {

enum FaultKind : uint32_t {
  kTruncated = 1,
  kReadOnlyWrite = 2,
  kAccessRevoked = 3,
  kIoError = 4,
};

// One recorded fault: which kind, where (bytes from the range's start) and when
// (CLOCK_REALTIME, nanoseconds).
struct FaultRecord {
  uint32_t kind;
  uint64_t offset;
  int64_t time_nanoseconds;
};

// Detailed records kept per range; later faults are only counted.
constexpr size_t kRecordedFaults = 16;

// Installs the handler for SIGSEGV and SIGBUS, or re-installs it when something replaced
// it (libuv does, without chaining, for process.on('SIGSEGV'|'SIGBUS')). When
// `segv_listener`/`bus_listener` is true, a foreign handler found now for that signal is
// libuv's (JavaScript has a listener): hardware faults outside mmapkit's ranges then go to
// the handler found at the first installation (a libuv handler only sets a flag and
// returns, so the faulting access would run again forever), while signals sent with kill()
// still reach it. Pins this shared object in memory first (it must outlive the handler).
// Returns false when it could not be pinned or sigaction failed.
bool Install(bool segv_listener, bool bus_listener);

// Restores the handlers found at the first installation (for benchmarks and tests).
void UninstallForTesting();

// Registers [address, address + length) (length rounded up to the page) as guarded.
// `file` says whether it maps a file; `fd` is a descriptor of that file the registry takes
// over and closes at Unregister (-1 for anonymous memory, or when none could be had);
// `file_offset` is the file offset of `address`. `epoch` (may be null) is incremented after
// every fault recorded for the range, so JavaScript can tell "no new fault" without a call.
// Returns the slot, or -1 when every slot is taken (the range is then simply not guarded).
int Register(uint8_t* address, size_t length, bool file, int fd, int64_t file_offset, bool shared, int protection,
             std::atomic<uint32_t>* epoch);

// Forgets a slot (before munmap) and closes its descriptor.
void Unregister(int slot);

// Records a protection change of [offset, offset + length) (page-aligned offset).
void SetProtection(int slot, size_t offset, size_t length, int protection);

// Faults recorded in a slot so far (all kinds).
uint32_t FaultCount(int slot);

// Copies up to kRecordedFaults records into `records`; returns how many.
size_t CopyFaults(int slot, FaultRecord* records);

// Accesses a PROT_NONE page that no range owns: the fault must reach the previous handler
// (a real bug elsewhere still crashes). For tests only; does not return when chaining works.
void FaultOutsideForTesting();

}  // namespace guard
}  // namespace mmapkit

#endif
