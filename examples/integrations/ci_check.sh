#!/bin/sh
# A CI step: check the files an export job produced before anything publishes them.
# The job fails (exit 1) when the policy blocks one, 3 when one cannot be read.
set -eu
guardrail check --policy "${GUARDRAIL_POLICY:-asb-public-web}" \
  --destination "${GUARDRAIL_DESTINATION:-public-web}" "$@"
