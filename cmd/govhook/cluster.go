package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/govhook/govhook/namespaces"
)

// clusterConfig finds the cluster govhook serves: --kubeconfig, else $KUBECONFIG, else the
// in-cluster service account. It returns rest.ErrNotInCluster when there is none. Unlike
// kubectl, it never falls back to ~/.kube/config: a webhook must not pick a cluster by
// accident.
func clusterConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		rules := &clientcmd.ClientConfigLoadingRules{Precedence: filepath.SplitList(env)}
		return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	}
	return rest.InClusterConfig()
}

// namespaceLookup builds the namespace and ServiceAccount caches of the cluster serve answers
// for. With dev and no cluster configuration it returns nil: policies then never see
// namespace metadata or ServiceAccounts.
func namespaceLookup(kubeconfig string, dev bool, log logr.Logger) (*namespaces.Lookup, error) {
	cfg, err := clusterConfig(kubeconfig)
	switch {
	case errors.Is(err, rest.ErrNotInCluster) && dev:
		log.Info("no cluster configuration (--kubeconfig, $KUBECONFIG or in-cluster): serving without namespace metadata; namespace-aware policies and tiering see no namespace")
		return nil, nil
	case errors.Is(err, rest.ErrNotInCluster):
		return nil, usageError(errors.New("serve needs the cluster's namespaces: run in-cluster, or pass --kubeconfig (or --dev to serve without namespace metadata)"))
	case err != nil:
		return nil, usageError(fmt.Errorf("cluster configuration: %w", err))
	}
	lookup, err := namespaces.New(cfg, log.WithName("namespaces"))
	if err != nil {
		return nil, err
	}
	log.Info("namespace metadata from the cluster", "host", cfg.Host)
	return lookup, nil
}
