package authorizer

// SharedJWKSCount returns how many shared key sets the process-wide
// registry holds.
func SharedJWKSCount() int {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return len(registry.m)
}

// MaxSharedJWKS is the registry's bound.
const MaxSharedJWKS = maxSharedJWKS
