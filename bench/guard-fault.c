// The bare-C baseline of bench/guard.mjs: the cost of one handled fault with the same
// repairs the fault guard makes, without any registry, JavaScript or V8.
//   guard-fault <pages> <file>  prints two numbers, nanoseconds per fault:
//   1. a write to a read-only anonymous page, repaired with mprotect(PROT_READ|PROT_WRITE);
//   2. a write to a read-only shared file page, repaired by remapping the page
//      copy-on-write from the file (mmap MAP_FIXED|MAP_PRIVATE).
// Both repairs call the kernel directly (syscall), as the guard does.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint8_t* region;
static size_t page_size;
static int file_fd = -1;

static void handler(int signal, siginfo_t* info, void* context) {
  (void)signal;
  (void)context;
  uintptr_t page = (uintptr_t)info->si_addr & ~(uintptr_t)(page_size - 1);
  if (file_fd < 0) {
    syscall(SYS_mprotect, (void*)page, page_size, PROT_READ | PROT_WRITE);
  } else {
    syscall(SYS_mmap, (void*)page, page_size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE, file_fd,
            (off_t)(page - (uintptr_t)region));
  }
}

static double now_ns(void) {
  struct timespec time;
  clock_gettime(CLOCK_MONOTONIC, &time);
  return time.tv_sec * 1e9 + time.tv_nsec;
}

// Writes one byte per page of `pages` read-only pages: one fault each.
static double per_fault(size_t pages) {
  volatile uint8_t* bytes = region;
  double start = now_ns();
  for (size_t page = 0; page < pages; page++) bytes[page * page_size] = 1;
  return (now_ns() - start) / pages;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: guard-fault <pages> <file>\n");
    return 2;
  }
  size_t pages = strtoul(argv[1], NULL, 10);
  page_size = (size_t)sysconf(_SC_PAGESIZE);
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, NULL);

  region = mmap(NULL, pages * page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return 1;
  for (size_t page = 0; page < pages; page++) (void)((volatile uint8_t*)region)[page * page_size];
  double anonymous = per_fault(pages);
  munmap(region, pages * page_size);

  file_fd = open(argv[2], O_RDONLY);
  if (file_fd < 0) return 1;
  region = mmap(NULL, pages * page_size, PROT_READ, MAP_SHARED, file_fd, 0);
  if (region == MAP_FAILED) return 1;
  for (size_t page = 0; page < pages; page++) (void)((volatile uint8_t*)region)[page * page_size];
  double file = per_fault(pages);
  munmap(region, pages * page_size);
  close(file_fd);
  printf("%.0f %.0f\n", anonymous, file);
  return 0;
}
