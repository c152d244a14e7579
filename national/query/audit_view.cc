#include "national/query/audit_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace ntmis::national {

std::string NationalActionLabel(absl::string_view action) {
  static const auto* labels = new absl::flat_hash_map<std::string, std::string>{
      {"query.aggregate", "汇总查询"},
      {"query.provinces", "查看各省同步状态"},
      {"query.transfers", "查看跨省调动"},
      {"query.divisions", "查看区划名称"},
      {"query.dimensions", "查看统计维度"},
      {"query.outlook", "退休展望"},
      {"query.lookup", "查询教师个人记录"},
      {"user.login", "登录"},
      {"user.logout", "注销"},
      {"user.whoami", "查看本人账号"},
      {"user.change_password", "修改密码"},
      {"user.create", "创建账号"},
      {"user.list", "查看账号"},
      {"user.reset_password", "重置密码"},
      {"user.unlock", "解锁账号"},
      {"user.disable", "停用账号"},
      {"user.enable", "启用账号"},
      {"audit.query", "查询审计日志"},
      {"audit.accept", "接受省级审计链"},
      {"audit.anchor", "审计链交接"},
      {"sync.cursor", "同步握手"},
      {"sync.push", "同步推送"},
      {"sync.digests", "摘要核对"},
      {"sync.bucket_entries", "摘要明细核对"},
      {"sync.realign", "同步游标回退"},
      {"sync.resolve", "身份核对"},
      {"sync.conflicts", "身份冲突查询"},
      {"sync.reference", "下发参考数据"},
      {"sync.transfers", "跨省调动交换"},
      {"sync.audit", "审计链交接"},
      {"sync.move", "教师跨省迁移"},
      {"sync.health", "同步状态上报"},
      {"sync.divisions", "区划名称上报"},
      {"registry.import", "学校名录导入"},
      {"node.backup", "备份"},
      {"node.restore", "恢复"},
      {"tls.refused", "拒绝已吊销的证书"},
  };
  auto it = labels->find(std::string(action));
  return it == labels->end() ? std::string(action) : it->second;
}

absl::StatusOr<v1::AuditEntries> QueryNationalAudit(
    AuditLog& audit, const Operator& actor, const v1::AuditQuery& query) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin, "查询审计日志"));
  if (query.until_unix() != 0 && query.until_unix() < query.since_unix())
    return absl::InvalidArgumentError("结束时间早于开始时间");
  AuditFilter filter;
  filter.actor = query.actor();
  filter.action = query.action();
  filter.target = query.target();
  filter.since_unix = query.since_unix();
  filter.until_unix = query.until_unix();
  filter.limit = query.limit();
  ASSIGN_OR_RETURN(std::vector<StoredAuditEntry> entries, audit.Query(filter));
  v1::AuditEntries out;
  for (const StoredAuditEntry& e : entries) {
    ToProto(e, NationalActionLabel(e.entry.action), out.add_entries());
  }
  return out;
}

}  // namespace ntmis::national
