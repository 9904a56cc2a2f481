// OpenMP for the explorer's WebAssembly build: one thread. The browser runs the model on one
// thread, as the native program does for 0D and 1D columns by default; the `#pragma omp` lines of
// the core are ignored (no -fopenmp), and these are the calls they leave.
#pragma once

inline int omp_get_max_threads() { return 1; }
inline int omp_get_thread_num() { return 0; }
inline int omp_get_num_threads() { return 1; }
