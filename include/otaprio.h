/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio.h
 * @brief Umbrella header: includes every public libotaprio header.
 * @since 0.1.0
 */
#ifndef OTAPRIO_H
#define OTAPRIO_H

#include "otaprio/cohort.h"
#include "otaprio/common.h"
#include "otaprio/graph.h"
#include "otaprio/guardrail.h"
#include "otaprio/plan.h"
#include "otaprio/risk.h"
#include "otaprio/rollback.h"

#endif /* OTAPRIO_H */
