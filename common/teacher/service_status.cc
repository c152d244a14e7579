#include "common/teacher/service_status.h"

namespace ntmis {

bool EndsService(v1::InServiceStatus status) {
  switch (status) {
    case v1::IN_SERVICE_STATUS_RETIRED:
    case v1::IN_SERVICE_STATUS_LIXIU:
    case v1::IN_SERVICE_STATUS_DECEASED:
    case v1::IN_SERVICE_STATUS_DEPARTED:
    case v1::IN_SERVICE_STATUS_TRANSFERRED_OUT:
    case v1::IN_SERVICE_STATUS_RESIGNED:
    case v1::IN_SERVICE_STATUS_DISMISSED:
    case v1::IN_SERVICE_STATUS_MISSING:
      return true;
    default:
      return false;
  }
}

}  // namespace ntmis
