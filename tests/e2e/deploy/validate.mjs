// SPDX-License-Identifier: Apache-2.0
// Validates every object of the given multi-document YAML files against Kubernetes' OpenAPI
// schema (kubernetes-models: no API server needed). Prints "ok KIND NAME" per object, or
// "invalid FILE KIND NAME: why" and exits 1.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Namespace, ConfigMap, Service, ServiceAccount, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';

const kinds = { Namespace, ConfigMap, Service, ServiceAccount, PersistentVolumeClaim, DaemonSet,
	Deployment, ClusterRole, ClusterRoleBinding, NetworkPolicy };
let bad = 0;
for (const file of process.argv.slice(2)) {
	for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
		if (doc.errors.length) {
			console.log(`invalid ${file}: ${doc.errors[0].message}`);
			bad++;
			continue;
		}
		const obj = doc.toJS();
		if (!obj) continue;
		const Kind = kinds[obj.kind];
		const name = obj.metadata?.name ?? '?';
		if (!Kind) {
			console.log(`invalid ${file} ${obj.kind} ${name}: no schema for this kind here`);
			bad++;
			continue;
		}
		try {
			new Kind(obj).validate();
			console.log(`ok ${obj.kind} ${name}`);
		} catch (e) {
			console.log(`invalid ${file} ${obj.kind} ${name}: ${e.message.split('\n')[0]}`);
			bad++;
		}
	}
}
process.exit(bad ? 1 : 0);
