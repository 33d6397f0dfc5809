#include "registry.h"

#include "ting/components/accounts.h"
#include "ting/components/assemblies.h"
#include "ting/components/eid.h"
#include "ting/components/mail.h"
#include "ting/components/meetings.h"
#include "ting/components/followup.h"
#include "ting/components/inclusion.h"
#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/components/residents.h"
#include "ting/components/results.h"
#include "ting/components/voting.h"

namespace ting::components {

const std::vector<web::Manifest>& Registry() {
  static const std::vector<web::Manifest> kRegistry = {
      AccountsManifest(),
      ProcessesManifest(),
      ProposalsManifest(),
      ResidentsManifest(),  // before voting: the demo's ballots need its register
      EidManifest(),
      VotingManifest(),
      ResultsManifest(),
      FollowUpManifest(),
      MailManifest(),  // after the components whose notifications it mails
      MeetingsManifest(),    // before assemblies: their sessions are meetings
      AssembliesManifest(),  // after residents: invitations are drawn from its register
      InclusionManifest(),   // last: the demo's answers come from residents who took part
  };
  return kRegistry;
}

}  // namespace ting::components
