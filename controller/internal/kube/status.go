package kube

import "time"

// Condition is metav1.Condition as the CRDs' status schema holds it.
type Condition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	ObservedGeneration int64  `json:"observedGeneration,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
}

// SetCondition replaces the condition of c's type, keeping its transition time when the
// status did not change, so an unchanged reconcile writes the same status.
func SetCondition(conds []Condition, c Condition, now time.Time) []Condition {
	c.LastTransitionTime = now.UTC().Format(time.RFC3339)
	for i := range conds {
		if conds[i].Type == c.Type {
			if conds[i].Status == c.Status && conds[i].LastTransitionTime != "" {
				c.LastTransitionTime = conds[i].LastTransitionTime
			}
			conds[i] = c
			return conds
		}
	}
	return append(conds, c)
}
