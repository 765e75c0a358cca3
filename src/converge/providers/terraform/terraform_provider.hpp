// The `terraform` provider: a Terraform or OpenTofu root module run through its CLI.
// See docs/providers/terraform.md.
#pragma once

#include "converge/providers/provider.hpp"

namespace converge::providers::terraform {

// Settings: options.hpp (root required).
Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec);

}  // namespace converge::providers::terraform
