// The keys of the store's `meta` table, named once (Store::GetMeta /
// SetMeta). Each says who writes it.
#ifndef NTMIS_PROVINCIAL_CORE_META_KEYS_H_
#define NTMIS_PROVINCIAL_CORE_META_KEYS_H_

namespace ntmis::provincial::meta {

// The province's two-digit code (`init`; checked at every open).
inline constexpr char kProvince[] = "province";
// The sequence of the next minted teacher number (teacher creation).
inline constexpr char kNextTeacherSeq[] = "next_teacher_seq";
// The last outbox sequence the national node acknowledged (the push).
inline constexpr char kSyncAckedSeq[] = "sync.acked_seq";
// The last transfer message from the national relay stored here.
inline constexpr char kTransferMailStored[] = "sync.transfer_mail_stored";
// When `sync --verify` last ran, and how many buckets still differed then.
inline constexpr char kVerifiedUnix[] = "last_verify_unix";
inline constexpr char kVerifyDiffering[] = "last_verify_differing";
// The version of the national school registry last pulled (reference data).
inline constexpr char kSchoolRegistryVersion[] = "school_registry_version";
// The national catalog version last pulled, and the national codes this
// build lacks ("table code label; ..."), empty when none (reference data).
inline constexpr char kNationalCatalogVersion[] = "national_catalog_version";
inline constexpr char kMissingCodes[] = "national_codes_missing";
// Registry schools the last reference pull skipped as broken, one per line.
inline constexpr char kReferenceSkipped[] = "reference_skipped";
// "1" once every entry and change request stored in the clear by an older
// build is sealed (Store::SealStoredValues).
inline constexpr char kSealedAtRest[] = "sealed_at_rest";

}  // namespace ntmis::provincial::meta

#endif  // NTMIS_PROVINCIAL_CORE_META_KEYS_H_
