# syntax=docker/dockerfile:1
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/govhook ./cmd/govhook

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/govhook /govhook
USER 65532:65532
ENTRYPOINT ["/govhook"]
CMD ["serve", "--cert-dir=/etc/govhook/certs", "--config=/etc/govhook/config.yaml", "--evidence-dir=/var/lib/govhook/evidence"]
