// Harnesses die with the runner that started them: when the runner is killed (even kill -9) the
// kernel sends this process SIGKILL (Linux PR_SET_PDEATHSIG), so no orphaned harness keeps a GPU
// or the CPU busy. Elsewhere a thread polls getppid() and exits once the parent is gone.
// Used by cpu/harness.cpp and cuda/harness.cu: call die_with_parent() first thing in main().
#pragma once

#include <signal.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#else
#include <chrono>
#include <cstdlib>
#include <thread>
#endif

inline void die_with_parent() {
  const pid_t parent = getppid();
#if defined(__linux__)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before prctl took effect: then we were already re-parented.
  if (getppid() != parent) _exit(1);
#else
  std::thread([parent] {
    for (;;) {
      if (getppid() != parent) std::_Exit(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }).detach();
#endif
}
