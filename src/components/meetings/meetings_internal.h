#pragma once
// The meetings component's private parts: its migrations, resources and the document look-up
// for serving files.

#include "ting/components/meetings.h"

namespace ting::components::meetings {

const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
std::vector<db::Migration> Migrations();

}  // namespace ting::components::meetings

namespace ting::components {
// A document of any of the organisation's meetings (the public download).
Result<std::optional<MeetingDocument>> FindMeetingDocument(db::Database& db, int64_t organisation_id, int64_t document_id);
}  // namespace ting::components
