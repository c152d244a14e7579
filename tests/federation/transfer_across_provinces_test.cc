// A transfer between two provinces with both provinces and the national
// node as real servers (provincial/core/careers.h, national/registry/
// transfer_relay.h): the receiving school files, its steps decide, the
// request waits for the syncs; the owning province decides its steps, hands
// the teacher over and seals the whole file for the receiving node; the
// national node relays it without being able to read it; the receiving
// province holds the record and every category's entries with their
// history; the sending province can no longer change the teacher; the
// national counts equal a recount. A return travels back the same way.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/base/dates.h"
#include "common/sql/sqlite.h"
#include "national/query/report_format.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;
using Client = provincial::ApiClient;

constexpr char kUnits11[] =
    "code,parent_code,level,name,school_category\n"
    "1101,11,city,北京市辖区,\n"
    "110101,1101,county,东城区,\n"
    "1101010001,110101,school,东城第一小学,2\n";

// One province's people: its administrator, a county manager and the two
// managers of one school.
struct People {
  std::unique_ptr<Client> admin, county, m1, m2;  // m2: the school head
};

std::unique_ptr<Client> Account(Federation& f, const std::string& code,
                                Client& by, const std::string& name,
                                const std::string& unit, v1::UserRole role) {
  return NewAccount(f, code, by, name, unit, role);
}

People Staff(Federation& f, const std::string& code, const std::string& units,
             const std::string& city, const std::string& county,
             const std::string& school) {
  People p;
  p.admin = f.Admin(code);
  REQUIRE(ValueOrDie(p.admin->ImportData(provincial::ImportTarget::kUnits,
                                         units, false))
              .problems_total() == 0);
  auto city_admin =
      Account(f, code, *p.admin, "c" + code, city, v1::USER_ROLE_SYSADMIN);
  auto county_admin =
      Account(f, code, *city_admin, "k" + code, county, v1::USER_ROLE_SYSADMIN);
  p.county = Account(f, code, *county_admin, "km" + code, county,
                     v1::USER_ROLE_MANAGER);
  auto school_admin = Account(f, code, *county_admin, "s" + code, school,
                              v1::USER_ROLE_SYSADMIN);
  p.m1 = Account(f, code, *school_admin, "m1-" + code, school,
                 v1::USER_ROLE_MANAGER);
  p.m2 = std::move(school_admin);  // the school's responsible person
  return p;
}

std::map<std::string, int64_t> ByProvince(Federation& f) {
  auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::AggregateRequest request;
  request.add_group_by("province");
  v1::AggregateResponse response;
  REQUIRE(stub->Aggregate(&context, request, &response).ok());
  std::map<std::string, int64_t> counts;
  for (const national::AnswerRow& row : national::AnswerRows(response))
    counts[row.codes[0]] += static_cast<int64_t>(row.teachers);
  return counts;
}

// Effective teachers in the province's store: the recount.
int64_t Recount(Federation& f, const std::string& code) {
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.province(code).database()));
  return ValueOrDie(
      db.QueryInt("SELECT COUNT(*) FROM teachers WHERE state = 'effective'"));
}

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

absl::StatusOr<v1::CareerCase> Approve(Client& by, const v1::CareerCase& c) {
  v1::DecideCareerStepRequest request;
  request.set_case_id(c.id());
  request.set_step(c.step());
  request.set_decision(v1::DecideCareerStepRequest::APPROVE);
  return by.Call(&Stub::DecideCareerStep, request);
}

v1::CareerCase Waiting(Client& at) {
  v1::ListCareerCasesRequest waiting;
  waiting.set_view("waiting");
  v1::ListCareerCasesResponse list =
      ValueOrDie(at.Call(&Stub::ListCareerCases, waiting));
  REQUIRE(list.cases_size() == 1);
  return list.cases(0);
}

TEST_CASE(
    "A teacher moves between provinces with the whole file and the national "
    "node cannot read it",
    "[careers][transfer]") {
  Federation f;
  f.AddProvince("44");
  f.AddProvince("11");
  People gd = Staff(f, "44", kUnits, "4401", "440103", "4401030001");
  People bj = Staff(f, "11", kUnits11, "1101", "110101", "1101010001");

  // An effective teacher of province 11 with a contact entry changed once
  // (a history).
  v1::TeacherView t = Create(*bj.m1, "吴老师", IdCard("110101", "19880808", 23),
                             "1988-08-08", "1", "1101010001");
  const std::string number = t.teacher_number();
  ValueOrDie(bj.m1->Call(&Stub::EditTeacher, Complete(number, "2012-09-01")));
  AddContact(*bj.m1, number);
  v1::PutEntryRequest contact;
  contact.set_teacher_number(number);
  contact.set_category("contact");
  contact.set_entry_no(1);
  SetFields(contact.mutable_fields(), {{"mobile", "13911112222"}});
  ValueOrDie(bj.m1->Call(&Stub::PutEntry, contact));
  ValueOrDie(bj.m1->Call(&Stub::SubmitTeacher, Number(number)));
  Review(*bj.m2, number, true);
  REQUIRE(Review(*bj.county, number, true).state() == "effective");
  NTMIS_ASSERT_OK(f.Sync("11").status());
  NTMIS_ASSERT_OK(f.Sync("44").status());
  auto before = ByProvince(f);

  // Province 44's school files by the teacher's ID-card number (the
  // national identity registry says who holds the person); its county
  // approves. A number nobody registered is refused with the rule.
  v1::FileTransferRequest request;
  request.set_id_card_number(IdCard("110101", "19880808", 23));
  request.set_effective_date(Today().ToString());
  request.set_reason("随配偶调动");
  v1::FileTransferRequest unknown = request;
  unknown.set_id_card_number(IdCard("110101", "19900101", 57));
  absl::Status nobody = gd.m1->Call(&Stub::FileTransfer, unknown).status();
  CHECK(absl::IsNotFound(nobody));
  CHECK_THAT(std::string(nobody.message()),
             Catch::Contains("全国教师身份库中没有记录"));
  v1::CareerCase c = ValueOrDie(gd.m1->Call(&Stub::FileTransfer, request));
  CHECK(c.teacher_number() == number);
  // The filing is the school's request: its county decides, then the owner.
  REQUIRE(c.steps_size() == 2);
  CHECK(c.steps(1).role() == "调出省份");
  c = ValueOrDie(Approve(*gd.county, c));
  CHECK(c.state() == "open");
  CHECK(c.step() == 1);
  CHECK(absl::IsFailedPrecondition(Approve(*gd.county, c).status()));
  v1::CareerCaseRequest withdraw;
  withdraw.set_case_id(c.id());
  withdraw.set_reason("不调了");
  CHECK(absl::IsFailedPrecondition(
      gd.m1->Call(&Stub::WithdrawCareerCase, withdraw).status()));

  // The request waits at the national node for the owning province's sync.
  NTMIS_ASSERT_OK(f.Sync("44").status());
  NTMIS_ASSERT_OK(f.Sync("44").status());  // sent once, relayed once
  NTMIS_ASSERT_OK(f.Sync("11").status());

  // The national node's operators see it in progress.
  {
    auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
    grpc::ClientContext context;
    v1::TransfersResponse relayed;
    REQUIRE(stub->Transfers(&context, v1::TransfersRequest(), &relayed).ok());
    REQUIRE(relayed.transfers_size() == 1);
    CHECK(relayed.open() == 1);
    CHECK(relayed.stuck() == 0);
    CHECK(relayed.transfers(0).sending_province() == "11");
    CHECK(relayed.transfers(0).receiving_province() == "44");
    CHECK(relayed.transfers(0).teacher_number() == number);
  }

  // Province 11 sees it waiting; the teacher is locked; its steps decide.
  v1::CareerCase incoming = Waiting(*bj.m1);
  CHECK(incoming.incoming());
  CHECK(incoming.remote_province() == "44");
  CHECK(incoming.to_school_name() == "荔湾第一小学");
  CHECK(incoming.steps_size() == 2);
  CHECK(absl::IsFailedPrecondition(
      bj.m1
          ->Call(&Stub::RequestChange, Fields(number, {{"title", "2"}}, "晋升"))
          .status()));
  CHECK(incoming.remote_steps_size() == 1);  // province 44's, decided
  incoming = ValueOrDie(Approve(*bj.m2, incoming));
  // Each side sees the other's progress: 44 learns 11's school decided.
  NTMIS_ASSERT_OK(f.Sync("11").status());
  NTMIS_ASSERT_OK(f.Sync("44").status());
  {
    v1::CareerCaseRequest get;
    get.set_case_id(c.id());
    v1::CareerCase seen = ValueOrDie(gd.m1->Call(&Stub::GetCareerCase, get));
    REQUIRE(seen.remote_steps_size() == 2);
    CHECK(seen.remote_steps(0).decision() == "approved");
    CHECK(seen.state_label() == "待调出省份「东城区」审核");
  }
  incoming = ValueOrDie(Approve(*bj.county, incoming));
  CHECK(incoming.state() == "completed");
  v1::TeacherView gone =
      ValueOrDie(bj.admin->Call(&Stub::GetTeacher, Number(number)));
  CHECK(gone.state() == "transferred_out");
  CHECK(!bj.m1
             ->Call(&Stub::RequestChange,
                    Fields(number, {{"title", "2"}}, "晋升"))
             .ok());
  // The national node is down at the next sync: the decision waits in
  // province 11 and goes with the sync after it.
  f.StopNational();
  CHECK(!f.Sync("11").ok());
  f.StartNational();
  NTMIS_ASSERT_OK(f.Sync("11").status());

  // The sealed file waits at the national node, unreadable there.
  for (const auto& entry :
       std::filesystem::directory_iterator(f.national_data_dir())) {
    const std::string bytes = Bytes(entry.path().string());
    INFO(entry.path().string());
    CHECK(bytes.find("13911112222") == std::string::npos);
  }

  // Province 44 receives the decision and the file.
  NTMIS_ASSERT_OK(f.Sync("44").status());
  v1::CareerCaseRequest get;
  get.set_case_id(c.id());
  v1::CareerCase done = ValueOrDie(gd.m1->Call(&Stub::GetCareerCase, get));
  CHECK(done.state() == "completed");
  CHECK(done.remote_province() == "11");
  CHECK(done.steps_size() == 3);           // 44's one, 11's two
  REQUIRE(done.remote_steps_size() == 2);  // as 11 decided them: all of them
  for (const v1::CareerStep& s : done.remote_steps())
    CHECK(s.decision() == "approved");
  v1::TeacherView arrived =
      ValueOrDie(gd.m1->Call(&Stub::GetTeacher, Number(number)));
  CHECK(arrived.state() == "effective");
  CHECK(arrived.record().school_code() == "4401030001");
  CHECK(arrived.record().province() == v1::PROVINCE_GUANGDONG);
  CHECK(arrived.record().name() == "吴老师");
  v1::ListEntriesRequest entries;
  entries.set_teacher_number(number);
  entries.set_category("contact");
  entries.set_with_history(true);
  v1::ListEntriesResponse listed =
      ValueOrDie(gd.m1->Call(&Stub::ListEntries, entries));
  REQUIRE(listed.entries_size() == 1);
  CHECK(listed.entries(0).values(0).value() == "13911112222");
  CHECK(listed.history_size() >= 1);  // the superseded 13800138000

  // After both syncs the national counts moved, and equal a recount.
  NTMIS_ASSERT_OK(f.Sync("44").status());
  NTMIS_ASSERT_OK(f.Sync("11").status());
  auto after = ByProvince(f);
  CHECK(after["11"] == before["11"] - 1);
  CHECK(after["44"] == before["44"] + 1);
  CHECK(after["11"] == Recount(f, "11"));
  CHECK(after["44"] == Recount(f, "44"));
  auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
  grpc::ClientContext context;
  v1::TransfersResponse relayed;
  REQUIRE(stub->Transfers(&context, v1::TransfersRequest(), &relayed).ok());
  CHECK(relayed.open() == 0);
  CHECK(relayed.transfers(0).state() == "completed");
}

TEST_CASE(
    "A transfer the owning province returns comes back with its reason and "
    "changes nothing",
    "[careers][transfer]") {
  Federation f;
  f.AddProvince("44");
  f.AddProvince("11");
  People gd = Staff(f, "44", kUnits, "4401", "440103", "4401030001");
  People bj = Staff(f, "11", kUnits11, "1101", "110101", "1101010001");
  v1::TeacherView t = Create(*bj.m1, "郑老师", IdCard("110101", "19900101", 25),
                             "1990-01-01", "1", "1101010001");
  const std::string number = t.teacher_number();
  ValueOrDie(bj.m1->Call(&Stub::EditTeacher, Complete(number, "2013-09-01")));
  AddContact(*bj.m1, number);
  ValueOrDie(bj.m1->Call(&Stub::SubmitTeacher, Number(number)));
  Review(*bj.m2, number, true);
  REQUIRE(Review(*bj.county, number, true).state() == "effective");
  NTMIS_ASSERT_OK(f.Sync("11").status());

  v1::FileTransferRequest request;
  request.set_teacher_number(number);
  request.set_effective_date(Today().ToString());
  request.set_reason("工作需要");
  v1::CareerCase c = ValueOrDie(gd.m1->Call(&Stub::FileTransfer, request));
  c = ValueOrDie(Approve(*gd.county, c));
  NTMIS_ASSERT_OK(f.Sync("44").status());
  NTMIS_ASSERT_OK(f.Sync("11").status());
  v1::CareerCase incoming = Waiting(*bj.m2);
  v1::DecideCareerStepRequest back;
  back.set_case_id(incoming.id());
  back.set_step(incoming.step());
  back.set_decision(v1::DecideCareerStepRequest::RETURN);
  back.set_reason("学校缺编，暂不同意调出");
  CHECK(ValueOrDie(bj.m2->Call(&Stub::DecideCareerStep, back)).state() ==
        "returned");
  // The teacher is free again at home.
  NTMIS_ASSERT_OK(
      bj.m1
          ->Call(&Stub::RequestChange, Fields(number, {{"title", "2"}}, "晋升"))
          .status());
  NTMIS_ASSERT_OK(f.Sync("11").status());
  NTMIS_ASSERT_OK(f.Sync("44").status());
  v1::CareerCaseRequest get;
  get.set_case_id(c.id());
  v1::CareerCase returned = ValueOrDie(gd.m1->Call(&Stub::GetCareerCase, get));
  CHECK(returned.state() == "returned");
  CHECK(returned.closing_reason() == "学校缺编，暂不同意调出");
  CHECK(absl::IsNotFound(
      gd.m1->Call(&Stub::GetTeacher, Number(number)).status()));
  CHECK(ValueOrDie(bj.m1->Call(&Stub::GetTeacher, Number(number))).state() ==
        "effective");
}

}  // namespace
}  // namespace ntmis::testing
