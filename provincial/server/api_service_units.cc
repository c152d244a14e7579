// The unit-tree RPCs of ApiService: provincial/core/unit_admin.h and the
// tree's reads (provincial/core/units.h).
#include "common/base/status_macros.h"
#include "provincial/core/unit_admin.h"
#include "provincial/core/units.h"
#include "provincial/server/api_service.h"

namespace ntmis::provincial {

grpc::Status ApiService::AddUnit(grpc::ServerContext* context,
                                 const v1::UnitInfo* request,
                                 v1::UnitInfo* response) {
  return Handle(
      context, "unit.add", request->code(), [&](const User& user, Lane& lane) {
        Unit unit;
        unit.code = request->code();
        unit.parent_code = request->parent_code();
        unit.level = static_cast<UnitLevel>(request->level());
        unit.name = request->name();
        unit.school_category =
            static_cast<v1::SchoolCategory>(request->school_category());
        ASSIGN_OR_RETURN(Unit added,
                         provincial::AddUnit(lane.store, user, unit));
        ToProto(added, response);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::RenameUnit(grpc::ServerContext* context,
                                    const v1::RenameUnitRequest* request,
                                    v1::UnitInfo* response) {
  return Handle(context, "unit.rename", request->code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(
                      Unit unit,
                      provincial::RenameUnit(lane.store, user, request->code(),
                                             request->name()));
                  ToProto(unit, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::MoveUnit(grpc::ServerContext* context,
                                  const v1::MoveUnitRequest* request,
                                  v1::UnitInfo* response) {
  return Handle(
      context, "unit.move", request->code(), [&](const User& user, Lane& lane) {
        ASSIGN_OR_RETURN(Unit unit,
                         provincial::MoveUnit(lane.store, user, request->code(),
                                              request->new_parent_code()));
        ToProto(unit, response);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::CloseUnit(grpc::ServerContext* context,
                                   const v1::CloseUnitRequest* request,
                                   v1::UnitInfo* response) {
  return Handle(context, "unit.close", request->code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(
                      Unit unit,
                      provincial::CloseUnit(lane.store, user, request->code(),
                                            request->reason()));
                  ToProto(unit, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ListUnits(grpc::ServerContext* context,
                                   const v1::ListUnitsRequest* request,
                                   v1::ListUnitsResponse* response) {
  return Handle(
      context, "unit.list", request->unit_code(),
      [&](const User& user, Lane& lane) {
        ASSIGN_OR_RETURN(
            std::vector<Unit> units,
            ListChildUnits(lane.store, user, request->unit_code(),
                           request->include_closed(), request->directory()));
        for (const Unit& u : units) ToProto(u, response->add_units());
        return absl::OkStatus();
      });
}

}  // namespace ntmis::provincial
