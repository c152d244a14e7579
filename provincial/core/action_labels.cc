#include "provincial/core/action_labels.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ntmis::provincial {
namespace {

const absl::flat_hash_map<std::string, std::string>& Actions() {
  static const auto* actions =
      new absl::flat_hash_map<std::string, std::string>{
          {"user.login", "登录"},
          {"user.logout", "注销"},
          {"user.whoami", "查看本人账号"},
          {"user.change_password", "修改密码"},
          {"user.create", "新建账号"},
          {"user.list", "查看账号"},
          {"user.reset_password", "重置密码"},
          {"user.unlock", "解锁账号"},
          {"user.disable", "停用账号"},
          {"user.enable", "启用账号"},
          {"user.create_teacher_accounts", "生成教师账号"},
          {"user.list_children", "查看下级单位账号"},
          {"user.create_missing_admins", "生成下级单位系统管理员账号"},
          {"unit.add", "新增单位"},
          {"unit.rename", "单位更名"},
          {"unit.move", "学校改隶区县"},
          {"unit.close", "撤销单位"},
          {"unit.list", "查看下级单位"},
          {"teacher.create", "新建教师"},
          {"teacher.edit", "修改教师信息"},
          {"teacher.update", "更新教师信息"},
          {"teacher.submit", "提交审核"},
          {"teacher.read", "查看教师信息"},
          {"teacher.read_id_card", "查看身份证件号码"},
          {"teacher.read_sensitive", "查看师德等敏感信息"},
          {"teacher.review_form", "查看教师信息审核表"},
          {"teacher.search", "查找教师"},
          {"teacher.list", "查看教师名单"},
          {"teacher.history", "查看变更历史"},
          {"teacher.withdraw", "撤销教师记录"},
          {"teacher.import", "导入教师"},
          {"teacher.transfer_out", "调出本省"},
          {"teacher.transfer_in", "调入本省"},
          {"teacher.renumber", "按全国登记更正教师编号"},
          {"review.school_approve", "学校审核通过"},
          {"review.county_approve", "区县复核通过"},
          {"review.return", "审核退回"},
          {"review.approve", "审核通过"},
          {"review.queue", "查看审核队列"},
          {"change.request", "提出变更申请"},
          {"change.approve", "变更申请通过"},
          {"change.reject", "变更申请驳回"},
          {"entry.put", "填写类目信息"},
          {"entry.delete", "删除类目信息"},
          {"entry.list", "查看类目信息"},
          {"indicator.define", "定义自定义指标"},
          {"catalog.read", "查看信息类目"},
          {"import.units", "导入单位"},
          {"import.teachers", "导入教师"},
          {"export.teachers", "导出教师名单"},
          {"report.progress", "查看填报进度"},
          {"report.rotation", "查看交流轮岗报表"},
          {"audit.query", "查询审计日志"},
          {"audit.verify", "校验审计日志"},
          {"audit.archive", "归档审计日志"},
          {"sync.now", "立即同步"},
          {"sync.health", "查看同步状态"},
          {"career.transfer.file", "提出调动申请"},
          {"career.status.file", "提出在职情况变动申请"},
          {"career.rotation.file", "提出交流轮岗申请"},
          {"career.rotation.end", "结束交流轮岗"},
          {"career.approve", "调动与变动审核通过"},
          {"career.return", "调动与变动退回"},
          {"career.withdraw", "撤回调动与变动申请"},
          {"career.effective", "调动与变动到期生效"},
          {"career.list", "查看调动与变动"},
          {"career.read", "查看调动与变动案件"},
          {"career.transfer", "调动"},
          {"career.status", "在职情况变动"},
          {"career.transfer_out", "调出"},
          {"career.transfer_in", "调入"},
          {"career.rotation", "交流轮岗"},
      };
  return *actions;
}

}  // namespace

std::string ActionLabel(absl::string_view action) {
  // "career.transfer #12": the case's number after the action.
  std::string suffix;
  if (size_t hash = action.find(" #"); hash != absl::string_view::npos) {
    suffix = absl::StrCat("（案件 ", action.substr(hash + 2), "）");
    action = action.substr(0, hash);
  }
  const auto& actions = Actions();
  if (auto it = actions.find(action); it != actions.end())
    return it->second + suffix;
  if (absl::ConsumePrefix(&action, "import."))
    return absl::StrCat("导入（", action, "）", suffix);
  if (absl::ConsumePrefix(&action, "change.")) {
    return absl::StrCat("变更：",
                        action == "addition" ? "增补"
                        : action == "change" ? "修改"
                                             : action,
                        suffix);
  }
  return absl::StrCat(action, suffix);
}

}  // namespace ntmis::provincial
