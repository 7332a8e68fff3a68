/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between lib/k8s/ files: the controller hints taken from a pod's label map. */
#ifndef VIGIL_K8S_INTERNAL_H
#define VIGIL_K8S_INTERNAL_H

#include <jansson.h>

#include "vigil/k8s.h"

/* Fills h from a JSON object of labels (string values; others are ignored). */
void vigil_k8s__take_hints(json_t *labels, struct vigil_k8s_hints *h);

#endif
