# The Cubicle server image that manifests/base/deployment.yaml runs (docs/deploying.md).
# Build: docker build -t registry.example.com/cubicle:v1 .
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      pkg-config libssh-dev libcurl4-openssl-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources Sources
RUN swift build -c release --product cubicle --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/cubicle" /out/cubicle

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4 libssh-4 libsqlite3-0 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/cubicle /usr/local/bin/cubicle
# The workspace scripts Cubicle mounts into every workspace pod (--workspace-dir).
COPY workspace /opt/cubicle/workspace
# Matches runAsUser/runAsGroup in the Deployment; the root filesystem is read-only there.
USER 65532:65532
ENV HOME=/tmp
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/cubicle"]
CMD ["serve", "--listen=0.0.0.0:8080", "--data-dir=/var/lib/cubicle", "--blueprints=/etc/cubicle/blueprints", "--workspace-dir=/opt/cubicle/workspace"]
