// Careers through the real API over TLS (provincial/core/careers.h): a
// transfer within the province through its four steps with the default
// accounts, moving the teacher on its effective date, the record locked
// meanwhile and the national counts moved after a sync; returns and
// withdrawals; status changes out of and back into the national scope; a
// rotation listed by its host school and counted by the rotation report;
// every bad filing refused precisely with nothing changed; concurrent
// filings and decisions applied once.
#include "provincial/core/careers.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/base/dates.h"
#include "national/query/report_format.h"
#include "provincial/core/store.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;
using Client = provincial::ApiClient;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// Effective teachers per county at the national node.
std::map<std::string, int64_t> NationalByCounty(Federation& f) {
  auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::AggregateRequest request;
  request.add_group_by("county");
  v1::AggregateResponse response;
  grpc::Status status = stub->Aggregate(&context, request, &response);
  REQUIRE(status.ok());
  std::map<std::string, int64_t> counts;
  for (const national::AnswerRow& row : national::AnswerRows(response))
    counts[row.codes[0]] += static_cast<int64_t>(row.teachers);
  return counts;
}

std::string DaysFromToday(int days) {
  const Date t = Today();
  const absl::CivilDay d = absl::CivilDay(t.year, t.month, t.day) + days;
  return Date{static_cast<int>(d.year()), d.month(), d.day()}.ToString();
}

absl::StatusOr<v1::CareerCase> Decide(Client& by, const v1::CareerCase& c,
                                      bool approve,
                                      const std::string& reason = "") {
  v1::DecideCareerStepRequest request;
  request.set_case_id(c.id());
  request.set_step(c.step());
  request.set_decision(approve ? v1::DecideCareerStepRequest::APPROVE
                               : v1::DecideCareerStepRequest::RETURN);
  request.set_reason(reason);
  return by.Call(&Stub::DecideCareerStep, request);
}

v1::FileTransferRequest Transfer(const std::string& number,
                                 const std::string& to_school) {
  v1::FileTransferRequest request;
  request.set_teacher_number(number);
  request.set_to_school(to_school);
  request.set_effective_date(DaysFromToday(7));
  request.set_reason("工作需要");
  return request;
}

// The default accounts of a receiving school that act here: its
// information manager (who files) and its responsible person (the system
// administrator account), made by the county's administrator.
std::pair<std::unique_ptr<Client>, std::unique_ptr<Client>> SchoolAccounts(
    Province& p, Client& county_admin, const std::string& school,
    const std::string& prefix) {
  auto head = p.Account(county_admin, prefix + ".admin", school,
                        v1::USER_ROLE_SYSADMIN);
  auto manager =
      p.Account(*head, prefix + ".m1", school, v1::USER_ROLE_MANAGER);
  return {std::move(manager), std::move(head)};
}

TEST_CASE(
    "A transfer follows the seeds with the default accounts and moves the "
    "teacher on its effective date",
    "[careers]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string id = IdCard("440103", "19850301", 11);
  const std::string number = Effective(s, "李老师", id, "1985-03-01", "1");
  auto [r1, head] =
      SchoolAccounts(p, *s.other_county_admin, "4401040001", "yx1");
  NTMIS_ASSERT_OK(p.f().Sync("44").status());
  auto before = NationalByCounty(p.f());

  // Filed by the receiving school (its request), finding the teacher by
  // ID-card number: its county, the sending school and its county approve,
  // the receiving school completes it (调档).
  v1::FileTransferRequest request = Transfer("", "4401040001");
  request.set_id_card_number(id);
  v1::CareerCase c = ValueOrDie(r1->Call(&Stub::FileTransfer, request));
  CHECK(c.teacher_number() == number);
  REQUIRE(c.steps_size() == 4);
  CHECK(c.steps(0).unit_code() == "440104");
  CHECK(c.steps(1).unit_code() == "4401030001");
  CHECK(c.steps(2).unit_code() == "440103");
  CHECK(c.steps(3).unit_code() == "4401040001");
  CHECK(c.steps(3).role() == "调入学校（调档）");
  CHECK(c.state_label() == "待「" + c.steps(0).unit_name() + "」审核");

  // While it is open the record takes no change, and no second case.
  auto edit = s.school_manager->Call(&Stub::RequestChange,
                                     Fields(number, {{"title", "2"}}, "晋升"));
  CHECK(absl::IsFailedPrecondition(edit.status()));
  CHECK_THAT(Message(edit.status()), Catch::Contains("进行中的调动"));
  v1::PutEntryRequest entry;
  entry.set_teacher_number(number);
  entry.set_category("contact");
  entry.set_entry_no(1);
  SetFields(entry.mutable_fields(), {{"mobile", "13900139000"}});
  entry.set_reason("换号");
  CHECK(absl::IsFailedPrecondition(
      s.school_manager->Call(&Stub::PutEntry, entry).status()));
  auto twice = r1->Call(&Stub::FileTransfer, Transfer(number, "4401040001"));
  CHECK(twice.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK_THAT(Message(twice.status()), Catch::Contains("已有进行中的调动"));

  // The wrong unit may not decide; a county's system administrator does not
  // review another unit's request; a step not reached yet says so; a repeat
  // decides nothing.
  CHECK(absl::IsPermissionDenied(Decide(*r1, c, true).status()));
  CHECK(absl::IsPermissionDenied(Decide(*head, c, true).status()));
  CHECK(absl::IsPermissionDenied(Decide(*s.county_manager, c, true).status()));
  auto county_head = Decide(*s.other_county_admin, c, true);
  CHECK(absl::IsPermissionDenied(county_head.status()));
  CHECK_THAT(Message(county_head.status()), Catch::Contains("信息管理员审核"));
  v1::CareerCase ahead = c;
  ahead.set_step(3);
  auto early = Decide(*r1, ahead, true);
  CHECK(absl::IsFailedPrecondition(early.status()));
  CHECK_THAT(Message(early.status()), Catch::Contains("还没有轮到这一步"));
  v1::CareerCase after0 = ValueOrDie(Decide(*s.other_county_manager, c, true));
  CHECK(after0.step() == 1);
  auto repeat = Decide(*s.other_county_manager, c, true);
  CHECK(absl::IsFailedPrecondition(repeat.status()));
  CHECK_THAT(Message(repeat.status()), Catch::Contains("已经审核过"));

  // Each waits in the queue of whoever must act: the sending school's
  // responsible person and its information manager.
  v1::ListCareerCasesRequest waiting;
  waiting.set_view("waiting");
  CHECK(ValueOrDie(s.school_admin->Call(&Stub::ListCareerCases, waiting))
            .cases_size() == 1);
  CHECK(ValueOrDie(s.county_manager->Call(&Stub::ListCareerCases, waiting))
            .cases_size() == 0);
  v1::ReviewQueueResponse queue = ValueOrDie(
      s.school_admin->Call(&Stub::ReviewQueue, v1::ReviewQueueRequest()));
  REQUIRE(queue.careers_size() == 1);
  CHECK(queue.careers(0).id() == c.id());
  v1::CareerCase after1 = ValueOrDie(Decide(*s.school_admin, after0, true));
  v1::CareerCase after2 = ValueOrDie(Decide(*s.county_manager, after1, true));
  CHECK(ValueOrDie(r1->Call(&Stub::ListCareerCases, waiting)).cases_size() ==
        1);
  // The filer completes it (调档); dated a week ahead, it waits for its date.
  v1::CareerCase approved = ValueOrDie(Decide(*r1, after2, true));
  CHECK(approved.state() == "scheduled");
  CHECK(approved.state_label() ==
        "已批准，" + approved.effective_date() + " 生效");
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)))
            .record()
            .school_code() == "4401030001");
  CHECK(absl::IsFailedPrecondition(
      s.school_manager
          ->Call(&Stub::RequestChange, Fields(number, {{"title", "2"}}, "晋升"))
          .status()));
  provincial::ProvincialNode& node = p.f().node("44");
  CHECK(ValueOrDie(node.ApplyDueCareers(Today())) == 0);
  std::optional<Date> date = ParseEnteredDate(approved.effective_date());
  REQUIRE(date.has_value());
  CHECK(ValueOrDie(node.ApplyDueCareers(*date)) == 1);
  CHECK(ValueOrDie(node.ApplyDueCareers(*date)) == 0);  // once
  v1::CareerCaseRequest get;
  get.set_case_id(c.id());
  v1::CareerCase done = ValueOrDie(r1->Call(&Stub::GetCareerCase, get));
  CHECK(done.state() == "completed");
  CHECK(done.state_label() == "已办结");

  // The teacher belongs to the receiving school, with who approved it.
  v1::TeacherView moved =
      ValueOrDie(r1->Call(&Stub::GetTeacher, Number(number)));
  CHECK(moved.record().school_code() == "4401040001");
  CHECK(moved.record().county_code() == "440104");
  CHECK_THAT(moved.change_action(), Catch::Contains("career.transfer"));
  CHECK(moved.approved_by() == "yx.manager,s1.admin,lw.manager,yx1.m1");
  // The sending school no longer sees it; the record takes changes again.
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::GetTeacher, Number(number)).status()));
  NTMIS_ASSERT_OK(
      r1->Call(&Stub::RequestChange, Fields(number, {{"title", "2"}}, "晋升"))
          .status());

  // After a sync the national node counts it in the new county only.
  NTMIS_ASSERT_OK(p.f().Sync("44").status());
  auto after = NationalByCounty(p.f());
  CHECK(after["440103"] == before["440103"] - 1);
  CHECK(after["440104"] == before["440104"] + 1);
  int64_t total_before = 0, total_after = 0;
  for (auto& [k, v] : before) total_before += v;
  for (auto& [k, v] : after) total_after += v;
  CHECK(total_after == total_before);
  CHECK(p.Audited("action = 'career.approve' AND result = 'ok'") == 4);
  NTMIS_ASSERT_OK(node.FlushAudit());
  CHECK(p.Audited("action = 'career.effective' AND result = 'ok'") == 1);
  CHECK(CheckAuditInChinese(p.admin()) > 10);
}

TEST_CASE(
    "Bad transfers get precise refusals and returns and withdrawals release "
    "the teacher",
    "[careers]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number = Effective(
      s, "王老师", IdCard("440103", "19800101", 13), "1980-01-01", "1");
  auto [r1, head] =
      SchoolAccounts(p, *s.other_county_admin, "4401040001", "yx1");

  auto own = s.school_manager->Call(&Stub::FileTransfer,
                                    Transfer(number, "4401030001"));
  CHECK(absl::IsInvalidArgument(own.status()));
  CHECK_THAT(Message(own.status()), Catch::Contains("已在本校任职"));
  // A teacher another province owns: a transfer across provinces, whose
  // last step is that province's
  // (tests/federation/transfer_across_provinces_test.cc).
  v1::CareerCase foreign = ValueOrDie(
      r1->Call(&Stub::FileTransfer, Transfer("110000000019", "4401040001")));
  REQUIRE(foreign.steps_size() == 2);
  CHECK(foreign.steps(1).role() == "调出省份");
  v1::CareerCaseRequest drop;
  drop.set_case_id(foreign.id());
  drop.set_reason("编号填错");
  CHECK(ValueOrDie(r1->Call(&Stub::WithdrawCareerCase, drop)).state() ==
        "withdrawn");
  v1::FileTransferRequest old = Transfer(number, "4401040001");
  old.set_effective_date(DaysFromToday(-90));
  auto past = r1->Call(&Stub::FileTransfer, old);
  CHECK(absl::IsInvalidArgument(past.status()));
  CHECK_THAT(Message(past.status()), Catch::Contains("最多补办 30 天以前"));
  v1::FileTransferRequest not_school = Transfer(number, "440104");
  auto county = r1->Call(&Stub::FileTransfer, not_school);
  CHECK(!county.ok());
  CHECK(p.Audited("action = 'career.transfer.file' AND result = 'ok'") ==
        1);  // the foreign one

  // Returned with a reason (required) at the sending school's step.
  v1::CareerCase c =
      ValueOrDie(r1->Call(&Stub::FileTransfer, Transfer(number, "4401040001")));
  c = ValueOrDie(Decide(*s.other_county_manager, c, true));
  CHECK(absl::IsInvalidArgument(Decide(*s.school_manager, c, false).status()));
  v1::CareerCase returned =
      ValueOrDie(Decide(*s.school_manager, c, false, "该教师本学期有毕业班"));
  CHECK(returned.state() == "returned");
  CHECK(returned.closing_reason() == "该教师本学期有毕业班");
  NTMIS_ASSERT_OK(
      s.school_manager
          ->Call(&Stub::RequestChange, Fields(number, {{"title", "2"}}, "晋升"))
          .status());
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)))
            .record()
            .school_code() == "4401030001");

  // Filed again and withdrawn by the filer's school; only there.
  v1::CareerCase again =
      ValueOrDie(r1->Call(&Stub::FileTransfer, Transfer(number, "4401040001")));
  v1::CareerCaseRequest withdraw;
  withdraw.set_case_id(again.id());
  withdraw.set_reason("双方协商不调了");
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::WithdrawCareerCase, withdraw).status()));
  CHECK(ValueOrDie(r1->Call(&Stub::WithdrawCareerCase, withdraw)).state() ==
        "withdrawn");
  CHECK(absl::IsFailedPrecondition(
      Decide(*s.other_county_manager, again, true).status()));
  v1::ListCareerCasesRequest mine;
  mine.set_view("filed");
  CHECK(ValueOrDie(r1->Call(&Stub::ListCareerCases, mine)).cases_size() == 3);
}

TEST_CASE(
    "A status change that ends service leaves the national count and a change "
    "back returns it",
    "[careers]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number = Effective(
      s, "赵老师", IdCard("440103", "19640501", 15), "1964-05-01", "1");
  NTMIS_ASSERT_OK(p.f().Sync("44").status());
  const int64_t counted = NationalByCounty(p.f())["440103"];

  v1::FileStatusChangeRequest request;
  request.set_teacher_number(number);
  request.set_effective_date(DaysFromToday(0));
  request.set_reason("到龄退休");
  request.set_status("99");
  auto unknown = s.school_manager->Call(&Stub::FileStatusChange, request);
  CHECK(absl::IsInvalidArgument(unknown.status()));
  CHECK_THAT(Message(unknown.status()), Catch::Contains("01 退休"));
  request.set_status("在职");
  auto same = s.school_manager->Call(&Stub::FileStatusChange, request);
  CHECK(absl::IsInvalidArgument(same.status()));
  CHECK_THAT(Message(same.status()), Catch::Contains("已是「在职」"));
  request.set_status("05");
  CHECK_THAT(
      Message(
          s.school_manager->Call(&Stub::FileStatusChange, request).status()),
      Catch::Contains("通过调动办理"));

  request.set_status("01");
  v1::CareerCase c =
      ValueOrDie(s.school_manager->Call(&Stub::FileStatusChange, request));
  REQUIRE(c.steps_size() == 1);
  CHECK(c.steps(0).unit_code() == "440103");
  CHECK(c.from_status() == "11");
  CHECK(c.to_status_label() == "退休");
  CHECK(ValueOrDie(Decide(*s.county_manager, c, true)).state() == "completed");
  v1::TeacherView retired =
      ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)));
  CHECK(retired.state() == "withdrawn");
  CHECK(retired.record().status() == v1::IN_SERVICE_STATUS_RETIRED);
  NTMIS_ASSERT_OK(p.f().Sync("44").status());
  CHECK(NationalByCounty(p.f())["440103"] == counted - 1);

  // 返聘: back under the same number.
  request.set_status("04");
  request.set_reason("返聘任教");
  c = ValueOrDie(s.school_manager->Call(&Stub::FileStatusChange, request));
  CHECK(ValueOrDie(Decide(*s.county_manager, c, true)).state() == "completed");
  v1::TeacherView back =
      ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)));
  CHECK(back.state() == "effective");
  CHECK(back.teacher_number() == number);
  NTMIS_ASSERT_OK(p.f().Sync("44").status());
  CHECK(NationalByCounty(p.f())["440103"] == counted);
  provincial::VerifyReport verify = ValueOrDie(p.f().Verify("44"));
  CHECK(verify.mismatched_buckets == 0);
  CHECK(verify.agreed);
}

TEST_CASE(
    "A rotation is listed by its host school and counted by the county's "
    "rotation report",
    "[careers]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number = Effective(
      s, "钱老师", IdCard("440103", "19800707", 18), "1980-07-07", "2");
  auto [h1, h_head] = SchoolAccounts(p, *s.county_admin, "4401030002", "h");

  v1::FileRotationRequest request;
  request.set_teacher_number(number);
  request.set_host_school("4401030002");
  request.set_kind("支教");
  request.set_start_date(DaysFromToday(0));
  request.set_end_date(DaysFromToday(-1));
  auto backwards = s.school_manager->Call(&Stub::FileRotation, request);
  CHECK(absl::IsInvalidArgument(backwards.status()));
  CHECK_THAT(Message(backwards.status()),
             Catch::Contains("结束日期不能早于开始日期"));
  request.set_kind("出差");
  CHECK_THAT(
      Message(s.school_manager->Call(&Stub::FileRotation, request).status()),
      Catch::Contains("支教"));
  request.set_kind("支教");
  request.set_end_date(DaysFromToday(300));
  v1::CareerCase c =
      ValueOrDie(s.school_manager->Call(&Stub::FileRotation, request));
  REQUIRE(c.steps_size() == 1);
  CHECK(ValueOrDie(Decide(*s.county_manager, c, true)).state() == "in_effect");

  // The host school lists the teacher as rotating in; the home school still has
  // it.
  v1::ListTeachersRequest host;
  host.set_unit_code("4401030002");
  v1::ListTeachersResponse hosted =
      ValueOrDie(h1->Call(&Stub::ListTeachers, host));
  REQUIRE(hosted.rotating_in_size() == 1);
  CHECK(hosted.rotating_in(0).teacher_number() == number);
  CHECK(hosted.rotating_in(0).state_label() == "轮岗中");
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)))
            .record()
            .school_code() == "4401030001");

  // An overlapping rotation is refused.
  request.set_start_date(DaysFromToday(10));
  request.set_end_date(DaysFromToday(20));
  auto overlap = s.school_manager->Call(&Stub::FileRotation, request);
  CHECK(absl::IsFailedPrecondition(overlap.status()));
  CHECK_THAT(Message(overlap.status()), Catch::Contains("时间重叠"));

  // The county's report: hired 2010, so eligible after six years.
  v1::RotationReportRequest report_request;
  report_request.set_unit_code("440103");
  v1::RotationReport report = ValueOrDie(
      s.county_manager->Call(&Stub::GetRotationReport, report_request));
  CHECK(report.years_required() == 6);
  CHECK(report.total().teachers() == 1);
  CHECK(report.total().eligible() == 1);
  CHECK(report.total().rotated() == 1);
  CHECK(report.total().share() == Approx(1.0));
  CHECK(report.children_size() == 2);

  // Ended early: no longer listed by the host.
  v1::CareerCaseRequest end;
  end.set_case_id(c.id());
  end.set_reason("支教学校撤并");
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::EndRotation, end)).state() ==
        "ended");
  CHECK(ValueOrDie(h1->Call(&Stub::ListTeachers, host)).rotating_in_size() ==
        0);
}

TEST_CASE("Concurrent filings and decisions of one case apply once",
          "[careers][concurrency]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number = Effective(
      s, "孙老师", IdCard("440103", "19900909", 19), "1990-09-09", "1");
  auto [r1, head] =
      SchoolAccounts(p, *s.other_county_admin, "4401040001", "yx1");
  std::vector<std::unique_ptr<Client>> filers;
  filers.push_back(std::move(r1));
  for (int i = 0; i < 3; ++i) {
    filers.push_back(p.Connect());
    NTMIS_ASSERT_OK(filers.back()->Login("yx1.m1", kPassword));
  }
  std::atomic<int> filed{0}, refused{0};
  std::vector<std::thread> threads;
  for (auto& filer : filers) {
    threads.emplace_back([&, client = filer.get()] {
      auto r =
          client->Call(&Stub::FileTransfer, Transfer(number, "4401040001"));
      if (r.ok())
        ++filed;
      else if (r.status().code() == absl::StatusCode::kAlreadyExists)
        ++refused;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(filed == 1);
  CHECK(refused == 3);

  v1::ListCareerCasesRequest waiting;
  waiting.set_view("waiting");
  v1::CareerCase c =
      ValueOrDie(s.other_county_manager->Call(&Stub::ListCareerCases, waiting))
          .cases(0);
  std::vector<std::unique_ptr<Client>> deciders;
  for (int i = 0; i < 4; ++i) {
    deciders.push_back(p.Connect());
    NTMIS_ASSERT_OK(deciders.back()->Login("yx.manager", kPassword));
  }
  std::atomic<int> decided{0};
  threads.clear();
  for (auto& d : deciders)
    threads.emplace_back(
        [&, client = d.get()] { decided += Decide(*client, c, true).ok(); });
  for (auto& t : threads) t.join();
  CHECK(decided == 1);
  v1::CareerCaseRequest get;
  get.set_case_id(c.id());
  v1::CareerCase now = ValueOrDie(filers[0]->Call(&Stub::GetCareerCase, get));
  CHECK(now.step() == 1);
  CHECK(now.steps(0).decided_by() == "yx.manager");
}

TEST_CASE(
    "With city review a transfer between cities also passes both cities' "
    "bureaus",
    "[careers]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number = Effective(
      s, "周老师", IdCard("440103", "19870303", 21), "1987-03-03", "1");
  // The province's setting, on the core the node runs (the fixture's node
  // keeps the default).
  provincial::Store store =
      ValueOrDie(provincial::Store::Open(p.f().province("44").database()));
  provincial::CareerSettings settings;
  settings.transfer_city_review = true;
  provincial::Careers careers(
      store, {std::string(32, 'k'), std::string(32, 's')}, settings);
  provincial::User filer;
  filer.username = "zs.m1";
  filer.unit_code = "4402010001";
  filer.role = provincial::Role::kManager;
  v1::CareerCase c =
      ValueOrDie(careers.FileTransfer(filer, Transfer(number, "4402010001")));
  std::vector<std::string> units;
  for (const v1::CareerStep& step : c.steps())
    units.push_back(step.unit_code());
  CHECK(units == std::vector<std::string>{"440201", "4402", "4401030001",
                                          "440103", "4401", "4402010001"});
  CHECK(c.steps(1).role() == "调入地市");
  // Within one city the setting adds nothing.
  v1::CareerCaseRequest withdraw;
  withdraw.set_case_id(c.id());
  withdraw.set_reason("改为本市调动");
  NTMIS_ASSERT_OK(careers.Withdraw(filer, withdraw).status());
  filer.unit_code = "4401040001";
  c = ValueOrDie(careers.FileTransfer(filer, Transfer(number, "4401040001")));
  CHECK(c.steps_size() == 4);
}

}  // namespace
}  // namespace ntmis::testing
