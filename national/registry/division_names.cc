#include "national/registry/division_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace ntmis::national {

absl::StatusOr<std::unique_ptr<DivisionNames>> DivisionNames::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  std::unique_ptr<DivisionNames> names(new DivisionNames(std::move(db)));
  absl::MutexLock lock(&names->mu_);
  ASSIGN_OR_RETURN(sql::Statement all,
                   names->db_.Prepare("SELECT code, name FROM divisions"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    names->names_[all.ColumnText(0)] = all.ColumnText(1);
  }
  return names;
}

absl::Status DivisionNames::Update(
    const std::string& province,
    const google::protobuf::RepeatedPtrField<v1::DivisionName>& divisions) {
  std::map<std::string, std::string> sent;
  for (const v1::DivisionName& d : divisions) {
    const bool digits =
        !d.code().empty() &&
        std::all_of(d.code().begin(), d.code().end(),
                    [](char c) { return absl::ascii_isdigit(c); });
    if (!digits || (d.code().size() != 4 && d.code().size() != 6) ||
        !absl::StartsWith(d.code(), province) || d.name().empty() ||
        d.name().size() > 200) {
      return absl::InvalidArgumentError(
          absl::StrCat("division ", d.code(), " '", d.name().substr(0, 60),
                       "': a city (4 digits) or county (6 digits) of province ",
                       province, " with a name"));
    }
    sent[d.code()] = d.name();
  }
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::string> held;
  for (auto it = names_.lower_bound(province);
       it != names_.end() && absl::StartsWith(it->first, province); ++it)
    held.insert(*it);
  if (held == sent) return absl::OkStatus();
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(sql::Statement drop,
                   db_.Prepare("DELETE FROM divisions WHERE province = ?"));
  RETURN_IF_ERROR(drop.BindAll(province).Run());
  ASSIGN_OR_RETURN(sql::Statement insert,
                   db_.Prepare("INSERT INTO divisions(code, province, name) "
                               "VALUES (?, ?, ?)"));
  for (const auto& [code, name] : sent) {
    RETURN_IF_ERROR(insert.BindAll(code, province, name).Run());
    insert.Reset();
  }
  RETURN_IF_ERROR(txn.Commit());
  for (const auto& [code, name] : held) names_.erase(code);
  names_.insert(sent.begin(), sent.end());
  return absl::OkStatus();
}

std::string DivisionNames::Name(const std::string& code) const {
  absl::MutexLock lock(&mu_);
  auto it = names_.find(code);
  return it == names_.end() ? std::string() : it->second;
}

std::vector<v1::DivisionName> DivisionNames::List(
    const std::string& province) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::DivisionName> out;
  for (auto it = names_.lower_bound(province);
       it != names_.end() && absl::StartsWith(it->first, province); ++it) {
    v1::DivisionName& d = out.emplace_back();
    d.set_code(it->first);
    d.set_name(it->second);
  }
  return out;
}

}  // namespace ntmis::national
