// The core's rules tested directly on a store with the seeds' default
// accounts (tests/support/core_fixture.h), with no server in between:
// every transport calls these same functions (docs/architecture.md,
// "Folders").
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "provincial/core/unit_admin.h"
#include "provincial/core/workflow.h"
#include "provincial/import/teacher_import.h"
#include "provincial/import/unit_import.h"
#include "tests/support/core_fixture.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

v1::CreateTeacherRequest NewTeacher(const std::string& school, int sequence) {
  v1::CreateTeacherRequest request;
  request.set_name(absl::StrCat("测试教师", sequence));
  request.set_gender("1");
  request.set_birth_date("1985-09-01");
  request.set_id_card_number(IdCard("440103", "19850901", 2 * sequence + 1));
  request.set_school_code(school);
  return request;
}

// A complete record of school 4401030001, created and submitted by `clerk`;
// its teacher number.
std::string Submitted(provincial::Workflow& workflow,
                      const provincial::User& clerk, int sequence) {
  const std::string number =
      ValueOrDie(
          workflow.CreateTeacher(clerk, NewTeacher("4401030001", sequence)))
          .record()
          .teacher_number();
  NTMIS_ASSERT_OK(
      workflow.Edit(clerk, Complete(number, "2010-09-01")).status());
  v1::PutEntryRequest contact;
  contact.set_teacher_number(number);
  contact.set_category("contact");
  v1::FieldValue* mobile = contact.add_fields();
  mobile->set_field("mobile");
  mobile->set_value("13800138000");
  NTMIS_ASSERT_OK(workflow.PutEntry(clerk, contact).status());
  NTMIS_ASSERT_OK(workflow.Submit(clerk, number).status());
  return number;
}

TEST_CASE("Only province-level staff import units and teachers", "[core]") {
  CoreProvince p;
  auto lane = p.Lane();
  for (const provincial::User& user :
       {p.Manager("4401030001"), p.Admin("4401"), p.Querier("44")}) {
    auto units = provincial::UnitRowHandler::Create(lane->store, user);
    CHECK(units.status().code() == absl::StatusCode::kPermissionDenied);
    auto teachers = provincial::TeacherRowHandler::Create(lane->store, user,
                                                          p.keys(), nullptr);
    CHECK(teachers.status().code() == absl::StatusCode::kPermissionDenied);
  }
  NTMIS_ASSERT_OK(
      provincial::UnitRowHandler::Create(lane->store, p.Admin("44")).status());
  NTMIS_ASSERT_OK(provincial::TeacherRowHandler::Create(
                      lane->store, p.Manager("44"), p.keys(), nullptr)
                      .status());
}

TEST_CASE("Units are read within scope and changed from the level above",
          "[core]") {
  CoreProvince p;
  auto lane = p.Lane();
  const provincial::User school_admin = p.Admin("4401030001");
  const provincial::User county_admin = p.Admin("440103");

  auto own = provincial::ListChildUnits(lane->store, county_admin, "", false);
  REQUIRE(own.ok());
  CHECK(own->size() == 2);  // its two schools
  CHECK(provincial::ListChildUnits(lane->store, county_admin, "4402", false)
            .status()
            .code() == absl::StatusCode::kPermissionDenied);

  auto renamed = provincial::RenameUnit(lane->store, county_admin, "4401030001",
                                        "荔湾第一实验小学");
  REQUIRE(renamed.ok());
  CHECK(renamed->name == "荔湾第一实验小学");
  CHECK(provincial::RenameUnit(lane->store, school_admin, "4401030001", "x")
            .status()
            .code() == absl::StatusCode::kPermissionDenied);

  // A county with open schools stays open; a school without teachers closes.
  auto county =
      provincial::CloseUnit(lane->store, p.Admin("4401"), "440103", "撤并");
  CHECK(county.status().code() == absl::StatusCode::kFailedPrecondition);
  auto school =
      provincial::CloseUnit(lane->store, county_admin, "4401030002", "撤并");
  REQUIRE(school.ok());
  CHECK(school->closed);
}

TEST_CASE("A school's manager creates its teachers and nobody else's",
          "[core]") {
  CoreProvince p;
  auto lane = p.Lane();
  provincial::Workflow& workflow = *lane->workflow;
  auto made = workflow.CreateTeacher(p.Manager("4401030001"),
                                     NewTeacher("4401030001", 1));
  REQUIRE(made.ok());
  CHECK(made->state() == "draft");
  for (const provincial::User& user :
       {p.Manager("4401030002"), p.Querier("4401030001"),
        p.Admin("4401030001")}) {
    auto refused = workflow.CreateTeacher(user, NewTeacher("4401030001", 2));
    CHECK(refused.status().code() == absl::StatusCode::kPermissionDenied);
  }
  // One person, one number.
  auto again = workflow.CreateTeacher(p.Manager("4401030001"),
                                      NewTeacher("4401030001", 1));
  CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
}

TEST_CASE("A record becomes effective with the default accounts alone",
          "[core]") {
  // 1 system administrator, 1 information manager, 2 queriers per unit:
  // the school's manager enters, the school's responsible person (its
  // system administrator account) approves, the county's manager re-checks.
  CoreProvince p;
  auto lane = p.Lane();
  provincial::Workflow& workflow = *lane->workflow;
  const provincial::User clerk = p.Manager("4401030001");
  const std::string number = Submitted(workflow, clerk, 7);

  v1::ReviewRequest approve;
  approve.set_teacher_number(number);
  approve.set_decision(v1::ReviewRequest::APPROVE);
  // The one who entered it does not approve it; queriers never review.
  auto own = workflow.Review(clerk, approve);
  CHECK(own.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(own.status().message()),
             Catch::Contains("负责人（系统管理员账号）"));
  CHECK(workflow.Review(p.Querier("4401030001"), approve).status().code() ==
        absl::StatusCode::kPermissionDenied);
  // Another school's responsible person has no say.
  CHECK(workflow.Review(p.Admin("4401030002"), approve).status().code() ==
        absl::StatusCode::kPermissionDenied);

  // The responsible person sees it waiting and approves it.
  v1::ReviewQueueResponse queue =
      ValueOrDie(workflow.Queue(p.Admin("4401030001"), {}));
  REQUIRE(queue.items_size() == 1);
  CHECK(queue.items(0).step() == provincial::kStepSchoolApproval);
  auto school = workflow.Review(p.Admin("4401030001"), approve);
  REQUIRE(school.ok());
  CHECK(school->state() == "school_approved");

  // The county step is its information manager's, not its administrator's.
  CHECK(workflow.Review(p.Admin("440103"), approve).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(workflow.Queue(p.Admin("440103"), {}).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto county = workflow.Review(p.Manager("440103"), approve);
  REQUIRE(county.ok());
  CHECK(county->state() == "effective");
}

TEST_CASE("Two approvals of one record at once: one decides and one is told",
          "[core][concurrency]") {
  // The responsible person approves from two browser tabs at once; each
  // call runs on its own lane (connection), as the API's calls do.
  CoreProvince p(2);
  const provincial::User clerk = p.Manager("4401030001");
  std::string number;
  {
    auto lane = p.Lane();
    provincial::Workflow& workflow = *lane->workflow;
    number = Submitted(workflow, clerk, 9);
  }
  const provincial::User head = p.Admin("4401030001");
  v1::ReviewRequest approve;
  approve.set_teacher_number(number);
  approve.set_decision(v1::ReviewRequest::APPROVE);
  std::atomic<int> approved{0}, refused{0}, other{0};
  std::vector<std::thread> tabs;
  for (int t = 0; t < 2; ++t) {
    tabs.emplace_back([&] {
      auto lane = p.Lane();
      auto done = lane->workflow->Review(head, approve);
      if (done.ok()) {
        ++approved;
      } else if (absl::StrContains(done.status().message(), "等待区县")) {
        // The record moved on: it now waits for the county, and says so.
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : tabs) t.join();
  CHECK(approved == 1);
  CHECK(refused == 1);
  CHECK(other == 0);
  auto lane = p.Lane();
  v1::TeacherRequest history;
  history.set_teacher_number(number);
  auto versions = ValueOrDie(lane->workflow->History(head, history));
  int approvals = 0;
  for (const auto& v : versions.versions())
    approvals += v.change_action() == "review.school_approve";
  CHECK(approvals == 1);
}

TEST_CASE("Managers of four schools create teachers at once on their own lanes",
          "[core][concurrency]") {
  CoreProvince p(4);
  const std::vector<std::string> schools = {"4401030001", "4401030002",
                                            "4401040001", "4402010001"};
  std::vector<provincial::User> managers;
  for (const std::string& s : schools) managers.push_back(p.Manager(s));
  std::atomic<int> failures{0};
  std::vector<std::vector<std::string>> numbers(schools.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < schools.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 25; ++n) {
        auto lane = p.Lane();
        auto made = lane->workflow->CreateTeacher(
            managers[i], NewTeacher(schools[i], static_cast<int>(i) * 100 + n));
        if (made.ok()) {
          numbers[i].push_back(made->record().teacher_number());
        } else {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures == 0);
  std::set<std::string> distinct;
  for (const auto& list : numbers) distinct.insert(list.begin(), list.end());
  CHECK(distinct.size() == 100);
}

}  // namespace
}  // namespace ntmis::testing
