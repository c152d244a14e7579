// Background threads yield the cores to the threads that serve requests.
#ifndef NTMIS_COMMON_BASE_THREAD_PRIORITY_H_
#define NTMIS_COMMON_BASE_THREAD_PRIORITY_H_

namespace ntmis {

// Lowers the calling thread's scheduling priority to nice 10 (on Linux a
// thread's own nice value); best effort.
void LowerThisThreadPriority();

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_THREAD_PRIORITY_H_
