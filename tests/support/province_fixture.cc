#include "tests/support/province_fixture.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sql/sqlite.h"
#include "common/teacher/id_card.h"
#include "provincial/core/store.h"

namespace ntmis::testing {
namespace {
using Stub = v1::ProvincialApi::StubInterface;
using Client = provincial::ApiClient;
}  // namespace

std::string IdCard(const std::string& region, const std::string& birth,
                   int sequence) {
  std::string first17 =
      absl::StrCat(region, birth, absl::StrFormat("%03d", sequence));
  return first17 + IdCardCheckChar(first17);
}

const char kUnits[] =
    "code,parent_code,level,name,school_category\n"
    "4401,44,city,广州市,\n"
    "440103,4401,county,荔湾区,\n"
    "4401030001,440103,school,荔湾第一小学,2\n"
    "4401030002,440103,school,荔湾第二小学,2\n"
    "440104,4401,county,越秀区,\n"
    "4401040001,440104,school,越秀第一中学,2\n"
    "4402,44,city,韶关市,\n"
    "440201,4402,county,武江区,\n"
    "4402010001,440201,school,武江小学,2\n";

Province::Province() {
  f_.AddProvince("44");
  admin_ = f_.Admin("44");
  auto units = ValueOrDie(
      admin_->ImportData(provincial::ImportTarget::kUnits, kUnits, false));
  REQUIRE(units.rows_applied() == 9);
}

std::unique_ptr<Client> Province::Connect() {
  return ValueOrDie(
      Client::Connect(f_.province_address("44"), f_.pki().ca_cert()));
}

std::unique_ptr<Client> FirstLogin(Federation& f, const std::string& province,
                                   const std::string& name,
                                   const std::string& initial) {
  auto client = ValueOrDie(
      Client::Connect(f.province_address(province), f.pki().ca_cert()));
  NTMIS_ASSERT_OK(client->Login(name, initial));
  v1::ChangePasswordRequest change;
  change.set_old_password(initial);
  change.set_new_password(kPassword);
  NTMIS_ASSERT_OK(client->Call(&Stub::ChangePassword, change).status());
  NTMIS_ASSERT_OK(client->Login(name, kPassword));
  return client;
}

std::unique_ptr<Client> NewAccount(Federation& f, const std::string& province,
                                   Client& by, const std::string& name,
                                   const std::string& unit, v1::UserRole role) {
  v1::CreateUserRequest request;
  request.set_username(name);
  request.set_unit_code(unit);
  request.set_role(role);
  v1::CreateUserResponse created =
      ValueOrDie(by.Call(&Stub::CreateUser, request));
  return FirstLogin(f, province, name, created.initial_password());
}

std::unique_ptr<Client> Province::Account(Client& by, const std::string& name,
                                          const std::string& unit,
                                          v1::UserRole role) {
  return NewAccount(f_, "44", by, name, unit, role);
}

std::unique_ptr<Client> Province::FirstLogin(const std::string& name,
                                             const std::string& initial) {
  return testing::FirstLogin(f_, "44", name, initial);
}

int64_t Province::Audited(const std::string& where) {
  f_.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f_.province("44").database()));
  return ValueOrDie(
      db.QueryInt(absl::StrCat("SELECT COUNT(*) FROM audit WHERE ", where)));
}

uint64_t Province::OutboxEnd() {
  provincial::Store store =
      ValueOrDie(provincial::Store::Open(f_.province("44").database()));
  return ValueOrDie(store.OutboxEnd());
}

Staff MakeStaff(Province& p) {
  Staff s;
  s.city_admin =
      p.Account(p.admin(), "gz.admin", "4401", v1::USER_ROLE_SYSADMIN);
  s.county_admin =
      p.Account(*s.city_admin, "lw.admin", "440103", v1::USER_ROLE_SYSADMIN);
  s.school_admin = p.Account(*s.county_admin, "s1.admin", "4401030001",
                             v1::USER_ROLE_SYSADMIN);
  s.school_manager = p.Account(*s.school_admin, "s1.manager", "4401030001",
                               v1::USER_ROLE_MANAGER);
  s.county_manager =
      p.Account(*s.county_admin, "lw.manager", "440103", v1::USER_ROLE_MANAGER);
  s.other_county_admin =
      p.Account(*s.city_admin, "yx.admin", "440104", v1::USER_ROLE_SYSADMIN);
  s.other_county_manager = p.Account(*s.other_county_admin, "yx.manager",
                                     "440104", v1::USER_ROLE_MANAGER);
  return s;
}

v1::TeacherView Create(Client& by, const std::string& name,
                       const std::string& id, const std::string& birth,
                       const std::string& gender, const std::string& school) {
  v1::CreateTeacherRequest request;
  request.set_name(name);
  request.set_gender(gender);
  request.set_birth_date(birth);
  request.set_id_card_number(id);
  request.set_school_code(school);
  return ValueOrDie(by.Call(&Stub::CreateTeacher, request));
}

void SetFields(google::protobuf::RepeatedPtrField<v1::FieldValue>* out,
               const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& [k, v] : fields) {
    v1::FieldValue* f = out->Add();
    f->set_field(k);
    f->set_value(v);
  }
}

v1::EditTeacherRequest Fields(
    const std::string& number,
    std::vector<std::pair<std::string, std::string>> fields,
    const std::string& reason) {
  v1::EditTeacherRequest request;
  request.set_teacher_number(number);
  request.set_reason(reason);
  SetFields(request.mutable_fields(), fields);
  return request;
}

v1::EditTeacherRequest Complete(const std::string& number,
                                const std::string& hire_date) {
  return Fields(number, {{"ethnicity", "01"},
                         {"nationality", "CHN"},
                         {"political_status", "13"},
                         {"hire_date", hire_date},
                         {"employment_type", "1"},
                         {"status", "11"},
                         {"post_type", "1"},
                         {"education", "21"},
                         {"degree", "3"},
                         {"title", "3"},
                         {"qualification", "2"}});
}

void AddContact(Client& by, const std::string& number) {
  v1::PutEntryRequest request;
  request.set_teacher_number(number);
  request.set_category("contact");
  v1::FieldValue* mobile = request.add_fields();
  mobile->set_field("mobile");
  mobile->set_value("13800138000");
  ValueOrDie(by.Call(&Stub::PutEntry, request));
}

v1::TeacherView Review(Client& by, const std::string& number, bool approve,
                       const std::string& reason) {
  v1::ReviewRequest request;
  request.set_teacher_number(number);
  request.set_decision(approve ? v1::ReviewRequest::APPROVE
                               : v1::ReviewRequest::RETURN);
  request.set_reason(reason);
  return ValueOrDie(by.Call(&Stub::ReviewTeacher, request));
}

absl::Status ReviewStatus(Client& by, const std::string& number, bool approve,
                          const std::string& reason) {
  v1::ReviewRequest request;
  request.set_teacher_number(number);
  request.set_decision(approve ? v1::ReviewRequest::APPROVE
                               : v1::ReviewRequest::RETURN);
  request.set_reason(reason);
  return by.Call(&Stub::ReviewTeacher, request).status();
}

v1::TeacherRequest Number(const std::string& number, uint32_t version) {
  v1::TeacherRequest request;
  request.set_teacher_number(number);
  request.set_version(version);
  return request;
}

std::string Effective(Staff& s, const std::string& name, const std::string& id,
                      const std::string& birth, const std::string& gender) {
  v1::TeacherView t = Create(*s.school_manager, name, id, birth, gender);
  ValueOrDie(s.school_manager->Call(
      &Stub::EditTeacher, Complete(t.teacher_number(), "2010-09-01")));
  AddContact(*s.school_manager, t.teacher_number());
  ValueOrDie(
      s.school_manager->Call(&Stub::SubmitTeacher, Number(t.teacher_number())));
  Review(*s.school_admin, t.teacher_number(), true);
  REQUIRE(Review(*s.county_manager, t.teacher_number(), true).state() ==
          "effective");
  return t.teacher_number();
}

int CheckAuditInChinese(Client& admin) {
  v1::AuditQuery query;
  query.set_limit(5000);
  v1::AuditEntries entries = ValueOrDie(admin.Call(&Stub::QueryAudit, query));
  // A label starts with a Chinese character: a code a clerk would have to
  // decipher starts with a Latin letter.
  auto chinese = [](const std::string& label) {
    return !label.empty() && static_cast<unsigned char>(label[0]) >= 0x80;
  };
  for (const v1::AuditRecord& e : entries.entries()) {
    INFO(e.action() << " " << e.result());
    CHECK(chinese(e.action_label()));
    CHECK(chinese(e.result_label()));
  }
  return entries.entries_size();
}

}  // namespace ntmis::testing
