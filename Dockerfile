# syntax=docker/dockerfile:1
# govhook container image: a static binary on distroless, non-root, no shell. Without Docker,
# `make image` builds the same image (user, entrypoint, command, ports, labels; checked by
# hack/image/dockerfile_test.go) from scratch, reproducibly, for amd64 and arm64.
#   docker build --build-arg VERSION=$(git describe --tags --always) --build-arg REVISION=$(git rev-parse HEAD) -t govhook:dev .
#   docker buildx build --platform linux/amd64,linux/arm64 ...   (Graviton nodes)
# The builder tag matches go.mod's go directive (checked by deploy/image_test.go); pin it by
# digest as well in your registry mirror (golang:1.26.8-bookworm@sha256:...).

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" -o /out/govhook ./cmd/govhook

# static-debian12: CA certificates, tzdata and /etc/passwd with nonroot (65532), nothing else:
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=
LABEL org.opencontainers.image.title="govhook" \
      org.opencontainers.image.description="Governance admission webhook for Kubernetes with SOC 2 audit evidence" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/govhook/govhook" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/govhook /govhook
USER 65532:65532
EXPOSE 9443 8080
ENTRYPOINT ["/govhook"]
CMD ["serve", "--config=/etc/govhook/config.yaml", "--cert-dir=/etc/govhook-tls", "--evidence-dir=/var/lib/govhook/evidence"]
