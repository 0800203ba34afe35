/* Baseline for bench/native.mjs: nanoseconds per mmap + munmap pair of one 4 KiB anonymous
 * private read-write region, the same request mapAnonymous({ length: 4096 }) makes.
 * Usage: mmap_munmap <iterations>. Prints the nanoseconds per pair. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 1000000;
  for (int round = 0; round < 2; round++) {
    double start = now_ns();
    for (long index = 0; index < iterations; index++) {
      void *address = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (address == MAP_FAILED) { perror("mmap"); return 1; }
      if (munmap(address, 4096) != 0) { perror("munmap"); return 1; }
    }
    double elapsed = now_ns() - start;
    /* The first round warms up; the second is reported. */
    if (round == 1) printf("%.1f\n", elapsed / (double)iterations);
  }
  return 0;
}
