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

const char* CareerKindLabel(v1::CareerKind kind);  // 调动, 在职情况变动, 交流轮岗
std::string CareerStateLabel(const v1::CareerCase& c);  // 待「…」审核, 已办结, 轮岗中, …
std::string TodayText();  // YYYY-MM-DD, China Standard Time

// The schools a case joins and where they are: the teacher's school
// (`from`) and the receiving or host school (`to`; the same school for a
// status change).
struct Careers::Parties {
  std::string from_school;
  std::string to_school;
  SchoolPlace from;
  SchoolPlace to;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_CAREER_INTERNAL_H_
