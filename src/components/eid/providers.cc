// The organisations' providers in memory: their settings for a few seconds, and one
// oidc::Provider each, which keeps the discovery document and keys it fetched.

#include <chrono>

#include "eid_internal.h"

namespace ting::components {

namespace {

// Settings changed on another server are seen within this time (this server's own changes at
// once); the sign-in page asks on every view.
constexpr auto kConfigLifetime = std::chrono::seconds(10);
// The whole exchange with the provider (discovery, keys, the code) must fit in a person's wait.
constexpr int kHttpTimeoutSeconds = 10;

bool SameProvider(const oidc::ProviderConfig& a, const EidConfig& b) {
  return a.issuer == b.issuer && a.client_id == b.client_id && a.client_secret == b.client_secret;
}

}  // namespace

EidProviders::EidProviders(EidStore& store, Env& env)
    : store_(store), http_(oidc::CurlHttpClient(kHttpTimeoutSeconds)), configs_(env, kConfigLifetime) {}

Result<std::shared_ptr<const std::optional<EidConfig>>> EidProviders::Config(int64_t organisation_id) {
  if (auto cached = configs_.Get(organisation_id)) return cached;
  TING_ASSIGN_OR_RETURN(auto config, store_.Config(organisation_id));
  return configs_.Put(organisation_id, std::move(config));
}

std::shared_ptr<oidc::Provider> EidProviders::Provider(int64_t organisation_id, const EidConfig& config) {
  std::lock_guard lock(mu_);
  auto& provider = providers_[organisation_id];
  if (!provider || !SameProvider(provider->config(), config))
    provider = std::make_shared<oidc::Provider>(oidc::ProviderConfig{config.issuer, config.client_id, config.client_secret}, *http_);
  return provider;
}

void EidProviders::Forget(int64_t organisation_id) {
  configs_.Erase(organisation_id);
  std::lock_guard lock(mu_);
  providers_.erase(organisation_id);
}

}  // namespace ting::components
