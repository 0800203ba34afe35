/* Floor of bench/map-cost.mjs: nanoseconds per operation of the plain C calls that mmapkit's
 * map + first view + close makes, measured in the same run as the JavaScript.
 *   map_cost anon <iterations>                  mmap + munmap of 4 KiB anonymous private memory
 *   map_cost fd <file> <length> <iterations>    mmap + touch + munmap of an open descriptor
 *   map_cost path <file> <length> <iterations>  open + mmap + touch + munmap + close (the length
 *                                                is known: no fstat, which mmapkit needs for the size)
 * "touch" reads the first byte (a minor fault on a page-cache page). Prints ns per operation of
 * the second of two rounds (the first warms up). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile unsigned char sink;

static int map_touch_unmap(int fd, size_t length) {
  unsigned char *address = mmap(NULL, length, PROT_READ, MAP_SHARED, fd, 0);
  if (address == MAP_FAILED) { perror("mmap"); return -1; }
  sink = address[0];
  if (munmap(address, length) != 0) { perror("munmap"); return -1; }
  return 0;
}

static int one(const char *mode, const char *file, size_t length, int fd) {
  if (strcmp(mode, "anon") == 0) {
    void *address = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) { perror("mmap"); return -1; }
    return munmap(address, 4096);
  }
  if (strcmp(mode, "fd") == 0) return map_touch_unmap(fd, length);
  int opened = open(file, O_RDONLY | O_CLOEXEC);
  if (opened < 0) { perror("open"); return -1; }
  int result = map_touch_unmap(opened, length);
  close(opened);
  return result;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: map_cost anon <n> | fd|path <file> <length> <n>\n"); return 2; }
  const char *mode = argv[1];
  int anonymous = strcmp(mode, "anon") == 0;
  const char *file = anonymous ? NULL : argv[2];
  size_t length = anonymous ? 4096 : (size_t)atol(argv[3]);
  long iterations = atol(argv[anonymous ? 2 : 4]);
  int fd = anonymous ? -1 : open(file, O_RDONLY | O_CLOEXEC);
  if (!anonymous && fd < 0) { perror("open"); return 1; }
  for (int round = 0; round < 2; round++) {
    double start = now_ns();
    for (long index = 0; index < iterations; index++) {
      if (one(mode, file, length, fd) != 0) return 1;
    }
    if (round == 1) printf("%.1f\n", (now_ns() - start) / (double)iterations);
  }
  return 0;
}
