#include "national/query/lookup.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/teacher/id_card.h"
#include "common/teacher/teacher_number.h"

namespace ntmis::national {

std::string LookupTarget(const v1::LookupRequest& request) {
  if (request.key_case() == v1::LookupRequest::kIdCardNumber)
    return absl::StrCat("id ", MaskIdCard(request.id_card_number()));
  return request.teacher_number();
}

absl::StatusOr<v1::LookupResponse> Lookup(NationalStore& store,
                                          const std::string& id_hash_key,
                                          const v1::LookupRequest& request) {
  if (absl::StripAsciiWhitespace(request.reason()).size() < kMinReasonLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("a look-up needs a reason (at least ", kMinReasonLength,
                     " characters; it is kept in the audit log)"));
  }
  v1::LookupResponse response;
  switch (request.key_case()) {
    case v1::LookupRequest::kTeacherNumber: {
      const std::string& number = request.teacher_number();
      if (!IsValidTeacherNumber(number)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", number,
                         "' is not a teacher number (12 digits with a MOD "
                         "11-10 check digit)"));
      }
      const std::string owner = store.owners().Owner(number);
      ASSIGN_OR_RETURN(ProvinceDb * db,
                       store.Province(owner, /*create=*/false));
      ASSIGN_OR_RETURN(v1::TeacherRecord record, db->Find(number));
      v1::LookupMatch* m = response.add_matches();
      m->set_province(owner);
      *m->mutable_record() = std::move(record);
      return response;
    }
    case v1::LookupRequest::kIdCardNumber: {
      const std::string id = absl::AsciiStrToUpper(request.id_card_number());
      auto parsed = ParseIdCard(id);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("ID-card number ", MaskIdCard(id), ": ",
                         parsed.status().message()));
      }
      if (id_hash_key.empty()) {
        return absl::FailedPreconditionError(
            "this national node has no id_hash_key configured; look up by "
            "teacher number");
      }
      // The person's numbers come from the identity registry: the one
      // registered, and any second number an identity conflict recorded.
      const std::string id_hash = crypto::HmacSha256(id_hash_key, id);
      ASSIGN_OR_RETURN(auto registered, store.identities().Resolve({id_hash}));
      std::vector<std::string> numbers;
      if (registered[0]) {
        numbers.push_back(registered[0]->teacher_number);
        ASSIGN_OR_RETURN(
            std::vector<std::string> second,
            store.identities().SecondNumbers(registered[0]->teacher_number));
        numbers.insert(numbers.end(), second.begin(), second.end());
      }
      for (const std::string& number : numbers) {
        const std::string owner = store.owners().Owner(number);
        auto db = store.Province(owner, /*create=*/false);
        if (absl::IsNotFound(db.status())) continue;
        if (!db.ok()) return db.status();
        auto record = (*db)->Find(number);
        if (absl::IsNotFound(record.status()))
          continue;  // withdrawn, or refused
        if (!record.ok()) return record.status();
        v1::LookupMatch* m = response.add_matches();
        m->set_province(owner);
        *m->mutable_record() = std::move(*record);
      }
      if (response.matches().empty())
        return absl::NotFoundError(
            absl::StrCat("no province holds ", LookupTarget(request)));
      return response;
    }
    default:
      return absl::InvalidArgumentError(
          "give a teacher_number or an id_card_number");
  }
}

}  // namespace ntmis::national
