package builtin

import (
	"fmt"
	"net/netip"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/apis/core/validation"
)

// The cluster a Service's create is judged for: single-stack IPv4 with
// the default NodePort range, which is what clusters are unless set up
// otherwise (EKS's default included).
const (
	nodePortBase = 30000
	nodePortSize = 2768
)

// allocateService does what the API server's Service storage does before
// the strategy validates a create: sync clusterIP with clusterIPs, settle
// the IP families, give the Service a cluster IP and node ports. The IPs
// and ports are placeholders, since the cluster's free ones are not
// known; a requested cluster IP is not checked against the service CIDR,
// which is not known either. The errors are those the allocation itself
// returns, in place of the strategy's.
func allocateService(obj runtime.Object) field.ErrorList {
	svc := obj.(*core.Service)
	spec := &svc.Spec
	if len(spec.ClusterIPs) == 0 && spec.ClusterIP != "" {
		spec.ClusterIPs = []string{spec.ClusterIP}
	}
	if spec.Type == core.ServiceTypeExternalName {
		return nil
	}
	if errs := ipFamilies(svc); len(errs) > 0 {
		return errs
	}
	if spec.ClusterIP == "" {
		spec.ClusterIP = "10.96.0.10"
		spec.ClusterIPs = []string{spec.ClusterIP}
	}
	return nodePorts(svc)
}

// ipFamilies defaults and checks the IP family fields as the allocation
// does on a single-stack IPv4 cluster.
func ipFamilies(svc *core.Service) field.ErrorList {
	spec := &svc.Spec
	headless := spec.ClusterIP == core.ClusterIPNone && len(spec.Selector) == 0
	if spec.IPFamilyPolicy == nil {
		p := core.IPFamilyPolicySingleStack
		if headless {
			p = core.IPFamilyPolicyRequireDualStack
		}
		spec.IPFamilyPolicy = &p
	}
	if errs := validation.ValidateServiceClusterIPsRelatedFields(svc, nil); len(errs) > 0 {
		return errs
	}
	policy := field.NewPath("spec", "ipFamilyPolicy")
	var errs field.ErrorList
	if *spec.IPFamilyPolicy == core.IPFamilyPolicySingleStack {
		if len(spec.ClusterIPs) == 2 {
			errs = append(errs, field.Invalid(policy, spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
		}
		if len(spec.IPFamilies) == 2 {
			errs = append(errs, field.Invalid(policy, spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
		}
	}
	for i, ip := range spec.ClusterIPs {
		if ip == core.ClusterIPNone {
			break
		}
		fam := familyOf(ip)
		if i < len(spec.IPFamilies) {
			continue
		}
		if fam != core.IPv4Protocol {
			errs = append(errs, field.Invalid(field.NewPath("spec", "clusterIPs").Index(i), spec.ClusterIPs, fmt.Sprintf("%s is not configured on this cluster", fam)))
		} else {
			spec.IPFamilies = append(spec.IPFamilies, fam)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if headless {
		if len(spec.IPFamilies) == 0 {
			spec.IPFamilies = []core.IPFamily{core.IPv4Protocol}
		}
		if len(spec.IPFamilies) < 2 && *spec.IPFamilyPolicy != core.IPFamilyPolicySingleStack {
			other := core.IPv6Protocol
			if spec.IPFamilies[0] == core.IPv6Protocol {
				other = core.IPv4Protocol
			}
			spec.IPFamilies = append(spec.IPFamilies, other)
		}
		return nil
	}
	if *spec.IPFamilyPolicy == core.IPFamilyPolicyRequireDualStack {
		errs = append(errs, field.Invalid(policy, spec.IPFamilyPolicy, "this cluster is not configured for dual-stack services"))
	}
	for i, fam := range spec.IPFamilies {
		if fam != core.IPv4Protocol {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ipFamilies").Index(i), fam, "not configured on this cluster"))
		}
	}
	if len(spec.IPFamilies) == 0 {
		spec.IPFamilies = []core.IPFamily{core.IPv4Protocol}
	}
	return errs
}

func familyOf(ip string) core.IPFamily {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
		return core.IPv6Protocol
	}
	return core.IPv4Protocol
}

// nodePorts checks requested node ports against the default range and
// gives the others placeholders, as the allocation does for NodePort and
// LoadBalancer Services (ports that share a port number share a node
// port), and a health-check node port where one is needed.
func nodePorts(svc *core.Service) field.ErrorList {
	spec := &svc.Spec
	taken := map[int32]bool{}
	var errs field.ErrorList
	for i, p := range spec.Ports {
		if p.NodePort == 0 {
			continue
		}
		if p.NodePort < nodePortBase || p.NodePort >= nodePortBase+nodePortSize {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), p.NodePort, notInRange))
		}
		taken[p.NodePort] = true
	}
	if spec.HealthCheckNodePort != 0 {
		taken[spec.HealthCheckNodePort] = true
	}
	if len(errs) > 0 {
		return errs
	}
	next := int32(nodePortBase)
	free := func() int32 {
		for taken[next] {
			next++
		}
		taken[next] = true
		return next
	}
	if spec.Type == core.ServiceTypeNodePort || spec.Type == core.ServiceTypeLoadBalancer {
		allocate := spec.Type == core.ServiceTypeNodePort || spec.AllocateLoadBalancerNodePorts == nil || *spec.AllocateLoadBalancerNodePorts
		byPort := map[int32]int32{}
		for i := range spec.Ports {
			p := &spec.Ports[i]
			if p.NodePort != 0 {
				if _, ok := byPort[p.Port]; !ok {
					byPort[p.Port] = p.NodePort
				}
				continue
			}
			if np, ok := byPort[p.Port]; ok {
				p.NodePort = np
			} else if allocate {
				p.NodePort = free()
				byPort[p.Port] = p.NodePort
			}
		}
	}
	if spec.Type == core.ServiceTypeLoadBalancer && spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal && spec.HealthCheckNodePort == 0 {
		spec.HealthCheckNodePort = free()
	}
	return nil
}

var notInRange = fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", nodePortBase, nodePortBase+nodePortSize-1)
