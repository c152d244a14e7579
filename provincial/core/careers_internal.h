// What the files of provincial/core/careers.h share; not for other rooms.
#ifndef NTMIS_PROVINCIAL_CORE_CAREER_INTERNAL_H_
#define NTMIS_PROVINCIAL_CORE_CAREER_INTERNAL_H_

#include <string>

#include "ntmis/v1/careers.pb.h"
#include "provincial/core/careers.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {

// CareerCase.state values.
inline constexpr char kCaseOpen[] = "open";
inline constexpr char kCaseCompleted[] = "completed";
inline constexpr char kCaseReturned[] = "returned";
inline constexpr char kCaseWithdrawn[] = "withdrawn";
inline constexpr char kCaseInEffect[] = "in_effect";
inline constexpr char kCaseEnded[] = "ended";
// Approved, waiting for its effective date (a transfer or status change
// dated ahead): Careers::ApplyDue completes it on that date.
inline constexpr char kCaseScheduled[] = "scheduled";

// The role of a transfer's last step: the receiving school completes the
// approved transfer (调档), which may be its filer.
inline constexpr char kFilingStepRole[] = "调入学校（调档）";

std::string CareerStateLabel(
    const v1::CareerCase& c);  // 待「…」审核, 已办结, 轮岗中, …
std::string TodayText();       // YYYY-MM-DD, China Standard Time

// The schools a case joins and where they are: the teacher's school
// (`from`) and the receiving or host school (`to`; the same school for a
// status change).
struct Careers::Parties {
  std::string from_school;
  std::string to_school;
  SchoolPlace from;
  SchoolPlace to;
  bool remote_sending =
      false;  // a transfer in: the sending side is another province's
  bool incoming = false;  // a transfer out another province asked for
};

// A school that takes teachers, or FAILED_PRECONDITION saying why not.
absl::StatusOr<SchoolPlace> OpenSchool(Store& store, const std::string& code);

// The placeholder step of a transfer in that the other province decides.
inline bool IsRemoteStep(const v1::CareerStep& step) {
  return step.unit_code().empty();
}

// A transfer in of a teacher another province owns: no local record to lock.
inline bool OfRemoteTeacher(const v1::CareerCase& c) {
  if (c.kind() != v1::CAREER_TRANSFER || c.incoming()) return false;
  for (const v1::CareerStep& s : c.steps())
    if (IsRemoteStep(s)) return true;
  return !c.remote_province().empty();
}

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_CAREER_INTERNAL_H_
