// Package namespaces gives policies what the cluster knows around a request: the metadata of
// its namespace (an informer cache of Namespace metadata, read first, and a direct read from
// the apiserver for a namespace the cache has not seen yet, created in the same apply), and
// the ServiceAccount its pod will run as (an informer cache of ServiceAccounts, cache only).
package namespaces

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/govhook/govhook/input"
)

// DirectReadTimeout bounds a direct read of a namespace the cache does not hold; the
// webhook's own deadline (timeoutSeconds) is only a few seconds.
const DirectReadTimeout = 2 * time.Second

// ErrNotSynced is the readiness error until the cache has listed every namespace.
var ErrNotSynced = errors.New("namespace cache has not synced yet")

// Log keys.
const (
	logNamespace      = "namespace"
	logServiceAccount = "serviceAccount"
	logError          = "error"
)

// Lookup finds namespace metadata and ServiceAccounts; it implements webhook.NamespaceLookup
// and review.ServiceAccounts. It is safe for concurrent use.
type Lookup struct {
	cache  cache.Cache   // nil when built from readers
	cached client.Reader // the informer cache
	direct client.Reader // the apiserver
	log    logr.Logger
	synced atomic.Bool
	reads  singleflight.Group
}

// New builds a Lookup on the cluster that cfg reaches: an informer on Namespace metadata
// (started by Start) and a client for direct reads. Neither talks to the apiserver before
// Start or the first lookup.
func New(cfg *rest.Config, log logr.Logger) (*Lookup, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("namespace scheme: %w", err)
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme:                      scheme,
		DefaultTransform:            stripMetadata,
		ReaderFailOnMissingInformer: true,
		ByObject:                    map[client.Object]cache.ByObject{&corev1.ServiceAccount{}: {Transform: stripServiceAccount}},
	})
	if err != nil {
		return nil, fmt.Errorf("namespace cache: %w", err)
	}
	if _, err := c.GetInformer(context.Background(), newMetadata(), cache.BlockUntilSynced(false)); err != nil {
		return nil, fmt.Errorf("namespace informer: %w", err)
	}
	if _, err := c.GetInformer(context.Background(), &corev1.ServiceAccount{}, cache.BlockUntilSynced(false)); err != nil {
		return nil, fmt.Errorf("service account informer: %w", err)
	}
	direct, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("namespace client: %w", err)
	}
	return &Lookup{cache: c, cached: c, direct: direct, log: log}, nil
}

// NewFromReaders builds a Lookup on a cache reader and a direct reader that are already
// serving: it counts as synced at once.
func NewFromReaders(cached, direct client.Reader, log logr.Logger) *Lookup {
	l := &Lookup{cached: cached, direct: direct, log: log}
	l.synced.Store(true)
	return l
}

// Start runs the informer until ctx ends; the Lookup is ready once it has synced.
func (l *Lookup) Start(ctx context.Context) error {
	if l.cache == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- l.cache.Start(ctx) }()
	if l.cache.WaitForCacheSync(ctx) {
		l.synced.Store(true)
		l.log.Info("namespace cache synced")
	}
	if err := <-done; err != nil {
		return fmt.Errorf("namespace cache: %w", err)
	}
	return nil
}

// Ready is a readiness check (healthz.Checker): ErrNotSynced until the cache has synced.
func (l *Lookup) Ready(*http.Request) error {
	if !l.synced.Load() {
		return ErrNotSynced
	}
	return nil
}

// Namespace returns the metadata of the named namespace: from the cache once it has synced,
// else (or when the cache does not hold it yet) from the apiserver; nil when neither knows it,
// and the request is then evaluated without it.
func (l *Lookup) Namespace(ctx context.Context, name string) *input.Namespace {
	if l.synced.Load() {
		m := newMetadata()
		err := l.cached.Get(ctx, client.ObjectKey{Name: name}, m)
		if err == nil {
			return fromMetadata(m)
		}
		if !apierrors.IsNotFound(err) {
			l.log.Info("namespace cache read failed; reading from the apiserver", logNamespace, name, logError, err.Error())
		}
	}
	// Concurrent misses for one namespace share one read, bounded on its own so that one
	// caller's cancellation does not fail the others.
	v, err, _ := l.reads.Do(name, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DirectReadTimeout)
		defer cancel()
		m := newMetadata()
		if err := l.direct.Get(ctx, client.ObjectKey{Name: name}, m); err != nil {
			return nil, err
		}
		_, _ = stripMetadata(m)
		return fromMetadata(m), nil
	})
	if err != nil {
		l.log.Info("namespace metadata unknown; evaluating without it", logNamespace, name, logError, err.Error())
		return nil
	}
	return v.(*input.Namespace)
}

// ServiceAccount returns the named ServiceAccount from the cache; it implements
// review.ServiceAccounts. It never reads the apiserver: an account the cache does not hold
// (before the cache has synced, or created a moment ago) is nil, and policies then judge the
// pod alone, as strictly as without it.
func (l *Lookup) ServiceAccount(ctx context.Context, namespace, name string) *input.ServiceAccount {
	if !l.synced.Load() {
		return nil
	}
	var sa corev1.ServiceAccount
	if err := l.cached.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &sa); err != nil {
		if !apierrors.IsNotFound(err) {
			l.log.Info("service account cache read failed; evaluating without it", logNamespace, namespace, logServiceAccount, name, logError, err.Error())
		}
		return nil
	}
	return input.NewServiceAccount(sa.Namespace, sa.Name, sa.AutomountServiceAccountToken, sa.Annotations)
}

// newMetadata is an empty Namespace metadata object, the only type this package reads.
func newMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	return m
}

func fromMetadata(m *metav1.PartialObjectMetadata) *input.Namespace {
	return input.NewNamespace(m.Name, m.Labels, m.Annotations)
}

// stripMetadata keeps in the cache only what policies read: no managed fields, no
// last-applied configuration.
func stripMetadata(obj any) (any, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return obj, nil
	}
	m.SetManagedFields(nil)
	if a := m.GetAnnotations(); a != nil {
		if _, ok := a[input.LastAppliedAnnotation]; ok {
			a = maps.Clone(a)
			delete(a, input.LastAppliedAnnotation)
			m.SetAnnotations(a)
		}
	}
	return m, nil
}

// stripServiceAccount keeps in the cache only what policies read of a ServiceAccount: its
// metadata as stripMetadata leaves it and automountServiceAccountToken, not its lists of
// Secrets.
func stripServiceAccount(obj any) (any, error) {
	if sa, ok := obj.(*corev1.ServiceAccount); ok {
		sa.Secrets, sa.ImagePullSecrets = nil, nil
	}
	return stripMetadata(obj)
}
