// Which in-service statuses (JY/T 1001, InServiceStatus) end service. The
// seeds collect serving staff only (离退休教职工信息不采集), so one rule holds
// whichever path writes a record: a record in the national scope is in
// service. Import, forms and change requests refuse a leaving status
// (record_validation.h); the only way to one is a status change, which
// takes the teacher out of the national count (provincial/core/careers.h).
#ifndef NTMIS_COMMON_TEACHER_SERVICE_STATUS_H_
#define NTMIS_COMMON_TEACHER_SERVICE_STATUS_H_

#include "ntmis/v1/codes.pb.h"

namespace ntmis {

// 01 退休, 02 离休, 03 死亡, 05 调出, 06 辞职, 07 离职, 08 开除, 09 下落不明.
bool EndsService(v1::InServiceStatus status);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_SERVICE_STATUS_H_
