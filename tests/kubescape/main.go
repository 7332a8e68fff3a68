// SPDX-License-Identifier: Apache-2.0

// kstyped: an independent oracle for Vigil's reading of Kubescape's typed profile objects,
// written for Vigil's tests. It decodes one profile document (JSON, as `vigil profile show
// --json` prints it) into Go structs with the JSON shape of Kubescape storage's v1beta1 types,
// and prints either
//
//	hash    the 64 hex digits the k8sstormcenter fork signs: its order-independent hash
//	        (jsonhash, as storage's CanonicalHash) of {apiVersion, kind, metadata{name,
//	        namespace, labels}, spec}
//	served  the document after a round trip through storage: gob-encoded and decoded (as
//	        storage keeps objects), then encoded with encoding/json
//
// Go's own encoding/json and encoding/gob decide zero values, omitempty, nil versus empty:
// that is what makes this an oracle rather than a second copy of Vigil's assumptions. The
// struct shapes are transcribed from the field list and JSON tags of storage's types.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

type LabelSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

type ExecCalls struct {
	Path         string   `json:"path,omitempty"`
	Args         []string `json:"args,omitempty"`
	Envs         []string `json:"envs,omitempty"`
	ArgsRequired bool     `json:"argsRequired,omitempty"`
}

type OpenCalls struct {
	Path  string   `json:"path"`
	Flags []string `json:"flags"`
}

type Arg struct {
	Index    int64  `json:"index"`
	Value    int64  `json:"value,omitempty"`
	ValueTwo int64  `json:"valueTwo,omitempty"`
	Op       string `json:"op"`
}

type Syscall struct {
	Names    []string `json:"names"`
	Action   string   `json:"action"`
	ErrnoRet int64    `json:"errnoRet,omitempty"`
	Args     []*Arg   `json:"args,omitempty"`
}

type SeccompSpec struct {
	Disabled         bool       `json:"disabled,omitempty"`
	BaseProfileName  string     `json:"baseProfileName,omitempty"`
	DefaultAction    string     `json:"defaultAction"`
	Architectures    []string   `json:"architectures,omitempty"`
	ListenerPath     string     `json:"listenerPath,omitempty"`
	ListenerMetadata string     `json:"listenerMetadata,omitempty"`
	Syscalls         []*Syscall `json:"syscalls,omitempty"`
	Flags            []string   `json:"flags,omitempty"`
}

type SingleSeccompProfile struct {
	Name string      `json:"name,omitempty"`
	Path string      `json:"path,omitempty"`
	Spec SeccompSpec `json:"spec,omitempty"`
}

type HTTPEndpoint struct {
	Endpoint  string          `json:"endpoint,omitempty"`
	Methods   []string        `json:"methods,omitempty"`
	Internal  bool            `json:"internal"`
	Direction string          `json:"direction,omitempty"`
	Headers   json.RawMessage `json:"headers,omitempty"`
}

type RulePolicy struct {
	AllowedProcesses []string `json:"processAllowed,omitempty"`
	AllowedContainer bool     `json:"containerAllowed,omitempty"`
}

type StackFrame struct {
	FileID    string `json:"fileID"`
	Lineno    string `json:"lineno"`
	FrameType int64  `json:"frameType"`
}

type CallStackNode struct {
	Children []CallStackNode `json:"children"`
	Frame    StackFrame      `json:"frame"`
}

type CallStack struct {
	Root CallStackNode `json:"root"`
}

type IdentifiedCallStack struct {
	CallID    string    `json:"callID"`
	CallStack CallStack `json:"callStack"`
}

type NetworkPort struct {
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Port     *int32 `json:"port"`
}

type NetworkNeighbor struct {
	Identifier        string         `json:"identifier"`
	Type              string         `json:"type"`
	DNS               string         `json:"dns"`
	DNSNames          []string       `json:"dnsNames"`
	Ports             []NetworkPort  `json:"ports"`
	PodSelector       *LabelSelector `json:"podSelector"`
	NamespaceSelector *LabelSelector `json:"namespaceSelector"`
	IPAddress         string         `json:"ipAddress"`
	IPAddresses       []string       `json:"ipAddresses,omitempty"`
}

type ApplicationProfileContainer struct {
	Name                 string                `json:"name,omitempty"`
	Capabilities         []string              `json:"capabilities"`
	Execs                []ExecCalls           `json:"execs"`
	Opens                []OpenCalls           `json:"opens"`
	Syscalls             []string              `json:"syscalls"`
	SeccompProfile       SingleSeccompProfile  `json:"seccompProfile,omitempty"`
	Endpoints            []HTTPEndpoint        `json:"endpoints"`
	ImageID              string                `json:"imageID"`
	ImageTag             string                `json:"imageTag"`
	PolicyByRuleId       map[string]RulePolicy `json:"rulePolicies"`
	IdentifiedCallStacks []IdentifiedCallStack `json:"identifiedCallStacks"`
}

type ApplicationProfileSpec struct {
	Architectures       []string                      `json:"architectures"`
	Containers          []ApplicationProfileContainer `json:"containers,omitempty"`
	InitContainers      []ApplicationProfileContainer `json:"initContainers,omitempty"`
	EphemeralContainers []ApplicationProfileContainer `json:"ephemeralContainers,omitempty"`
}

type NetworkNeighborhoodContainer struct {
	Name    string            `json:"name"`
	Ingress []NetworkNeighbor `json:"ingress"`
	Egress  []NetworkNeighbor `json:"egress"`
}

type NetworkNeighborhoodSpec struct {
	LabelSelector       `json:",inline"`
	Containers          []NetworkNeighborhoodContainer `json:"containers"`
	InitContainers      []NetworkNeighborhoodContainer `json:"initContainers"`
	EphemeralContainers []NetworkNeighborhoodContainer `json:"ephemeralContainers"`
}

// A section of a grouped ContainerProfile (storage v0.0.303; its JSON tags are assumed to
// follow ApplicationProfileContainer's, the sections being omitempty).
type ContainerProfileContainer struct {
	Name                 string                `json:"name,omitempty"`
	Capabilities         []string              `json:"capabilities"`
	Execs                []ExecCalls           `json:"execs"`
	Opens                []OpenCalls           `json:"opens"`
	Syscalls             []string              `json:"syscalls"`
	SeccompProfile       SingleSeccompProfile  `json:"seccompProfile,omitempty"`
	Endpoints            []HTTPEndpoint        `json:"endpoints"`
	ImageID              string                `json:"imageID"`
	ImageTag             string                `json:"imageTag"`
	PolicyByRuleId       map[string]RulePolicy `json:"rulePolicies"`
	IdentifiedCallStacks []IdentifiedCallStack `json:"identifiedCallStacks"`
	Ingress              []NetworkNeighbor     `json:"ingress"`
	Egress               []NetworkNeighbor     `json:"egress"`
}

type ContainerProfileSpec struct {
	Architectures        []string                    `json:"architectures"`
	Capabilities         []string                    `json:"capabilities"`
	Execs                []ExecCalls                 `json:"execs"`
	Opens                []OpenCalls                 `json:"opens"`
	Syscalls             []string                    `json:"syscalls"`
	SeccompProfile       SingleSeccompProfile        `json:"seccompProfile,omitempty"`
	Endpoints            []HTTPEndpoint              `json:"endpoints"`
	ImageID              string                      `json:"imageID"`
	ImageTag             string                      `json:"imageTag"`
	PolicyByRuleId       map[string]RulePolicy       `json:"rulePolicies"`
	IdentifiedCallStacks []IdentifiedCallStack       `json:"identifiedCallStacks"`
	LabelSelector        `json:",inline"`
	Ingress              []NetworkNeighbor           `json:"ingress"`
	Egress               []NetworkNeighbor           `json:"egress"`
	Containers           []ContainerProfileContainer `json:"containers,omitempty"`
	InitContainers       []ContainerProfileContainer `json:"initContainers,omitempty"`
	EphemeralContainers  []ContainerProfileContainer `json:"ephemeralContainers,omitempty"`
}

type Meta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type Doc struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   Meta            `json:"metadata"`
	Spec       json.RawMessage `json:"spec"`
}

// jsonhash: scalars hash their text (numbers as big-endian float64 bits), lists and maps the
// sorted hex hashes of their items joined by '|' (map items: hash(key) ":" hash(value)).
func jsonhash(v interface{}) [32]byte {
	switch x := v.(type) {
	case nil:
		return sha256.Sum256([]byte("null"))
	case bool:
		if x {
			return sha256.Sum256([]byte("true"))
		}
		return sha256.Sum256([]byte("false"))
	case string:
		return sha256.Sum256([]byte(x))
	case float64:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], math.Float64bits(x))
		return sha256.Sum256(b[:])
	case []interface{}:
		items := make([]string, len(x))
		for i, e := range x {
			h := jsonhash(e)
			items[i] = hex.EncodeToString(h[:])
		}
		sort.Strings(items)
		return sha256.Sum256([]byte(strings.Join(items, "|")))
	case map[string]interface{}:
		items := make([]string, 0, len(x))
		for k, e := range x {
			hk, he := sha256.Sum256([]byte(k)), jsonhash(e)
			items = append(items, hex.EncodeToString(hk[:])+":"+hex.EncodeToString(he[:]))
		}
		sort.Strings(items)
		return sha256.Sum256([]byte(strings.Join(items, "|")))
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

func decodeSpec(d *Doc) (interface{}, error) {
	var spec interface{}
	switch d.Kind {
	case "ApplicationProfile":
		spec = &ApplicationProfileSpec{}
	case "NetworkNeighborhood":
		spec = &NetworkNeighborhoodSpec{}
	case "ContainerProfile":
		spec = &ContainerProfileSpec{}
	default:
		return nil, fmt.Errorf("kind %q", d.Kind)
	}
	if len(d.Spec) > 0 {
		if err := json.Unmarshal(d.Spec, spec); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// The fork's ApplicationProfile adapter makes every nil rulePolicies map empty before hashing.
func fillPolicies(spec interface{}) {
	ap, ok := spec.(*ApplicationProfileSpec)
	if !ok {
		return
	}
	for _, l := range [][]ApplicationProfileContainer{ap.Containers, ap.InitContainers, ap.EphemeralContainers} {
		for i := range l {
			if l[i].PolicyByRuleId == nil {
				l[i].PolicyByRuleId = map[string]RulePolicy{}
			}
		}
	}
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "hash" && os.Args[1] != "served") {
		fmt.Fprintln(os.Stderr, "usage: kstyped hash|served < document.json")
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	var d Doc
	if err := json.Unmarshal(in, &d); err != nil {
		fmt.Fprintln(os.Stderr, "kstyped:", err)
		os.Exit(1)
	}
	spec, err := decodeSpec(&d)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kstyped:", err)
		os.Exit(1)
	}
	if os.Args[1] == "hash" {
		fillPolicies(spec)
		content := map[string]interface{}{
			"apiVersion": d.APIVersion,
			"kind":       d.Kind,
			"metadata": map[string]interface{}{
				"name":      d.Metadata.Name,
				"namespace": d.Metadata.Namespace,
				"labels":    d.Metadata.Labels,
			},
			"spec": spec,
		}
		raw, _ := json.Marshal(content)
		var generic interface{}
		if err := json.Unmarshal(raw, &generic); err != nil {
			panic(err)
		}
		h := jsonhash(generic)
		fmt.Print(hex.EncodeToString(h[:]))
		return
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(spec); err != nil {
		panic(err)
	}
	stored, _ := decodeSpec(&Doc{Kind: d.Kind})
	if err := gob.NewDecoder(&b).Decode(stored); err != nil && err != io.EOF {
		panic(err)
	}
	d.Spec, _ = json.Marshal(stored)
	out, _ := json.MarshalIndent(d, "", "  ")
	fmt.Println(string(out))
}
