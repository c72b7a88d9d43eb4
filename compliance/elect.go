package compliance

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/leaderelection"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/recorder"
)

// DefaultLeaseName is the coordination.k8s.io Lease the auditing replica holds.
const DefaultLeaseName = "govhook-audit"

// Election names the Lease and its timing; zero durations take controller-runtime's defaults
// (15 s lease, 10 s renew deadline, 2 s retry).
type Election struct {
	Namespace     string
	Name          string
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
}

// RunElected runs r only while this process holds the Lease, through controller-runtime's
// leader election, until ctx ends. A replica that loses the Lease (an apiserver outage longer
// than the renew deadline) stops r and campaigns again, instead of exiting: the webhook it
// runs beside keeps serving. On ctx's end the Lease is released, so another replica takes
// over at once.
func RunElected(ctx context.Context, cfg *rest.Config, e Election, r manager.Runnable, log logr.Logger) error {
	if e.Name == "" {
		e.Name = DefaultLeaseName
	}
	for {
		err := runElectedOnce(ctx, cfg, e, r, log)
		if ctx.Err() != nil {
			return nil
		}
		log.Error(err, "audit lease lost or not reachable; campaigning again")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(max(e.RetryPeriod, 2*time.Second)):
		}
	}
}

func runElectedOnce(ctx context.Context, cfg *rest.Config, e Election, r manager.Runnable, log logr.Logger) error {
	// The lock records no Events: leadership shows on the Lease's holderIdentity and in the
	// log, and the ClusterRole needs no write access to Events.
	lock, err := leaderelection.NewResourceLock(cfg, noEvents{}, leaderelection.Options{
		LeaderElection:          true,
		LeaderElectionID:        e.Name,
		LeaderElectionNamespace: e.Namespace,
		RenewDeadline:           e.RenewDeadline,
	})
	if err != nil {
		return fmt.Errorf("audit lease: %w", err)
	}
	opts := manager.Options{
		Logger:                              log,
		Metrics:                             metricsserver.Options{BindAddress: "0"},
		LeaderElection:                      true,
		LeaderElectionID:                    e.Name,
		LeaderElectionNamespace:             e.Namespace,
		LeaderElectionResourceLockInterface: lock,
		LeaderElectionReleaseOnCancel:       true,
	}
	if e.LeaseDuration > 0 {
		opts.LeaseDuration = &e.LeaseDuration
	}
	if e.RenewDeadline > 0 {
		opts.RenewDeadline = &e.RenewDeadline
	}
	if e.RetryPeriod > 0 {
		opts.RetryPeriod = &e.RetryPeriod
	}
	mgr, err := manager.New(cfg, opts)
	if err != nil {
		return fmt.Errorf("audit lease manager: %w", err)
	}
	if err := mgr.Add(r); err != nil {
		return err
	}
	log.Info("campaigning for the audit lease", "namespace", e.Namespace, "lease", e.Name)
	return mgr.Start(ctx)
}

// noEvents is a recorder.Provider whose recorders drop every event.
type noEvents struct{}

var _ recorder.Provider = noEvents{}

func (noEvents) GetEventRecorderFor(string) record.EventRecorder { return discardLegacy{} }
func (noEvents) GetEventRecorder(string) recorder.EventRecorder  { return discard{} }

// discardLegacy drops events of the core/v1 events API.
type discardLegacy struct{}

func (discardLegacy) Event(runtime.Object, string, string, string)          {}
func (discardLegacy) Eventf(runtime.Object, string, string, string, ...any) {}
func (discardLegacy) AnnotatedEventf(runtime.Object, map[string]string, string, string, string, ...any) {
}

// discard drops events of the events.k8s.io API.
type discard struct{}

func (discard) Eventf(runtime.Object, runtime.Object, string, string, string, string, ...any) {}
func (discard) AnnotatedEventf(runtime.Object, runtime.Object, map[string]string, string, string, string, string, ...any) {
}
