# syntax=docker/dockerfile:1
# Multi-stage build of the thugom binary. h3 needs cgo, so the build stage has
# gcc and the runtime stage keeps glibc (debian slim) rather than scratch.
# The image runs `thugom serve` against the database named by DATABASE_URL;
# the embedded PostgreSQL of `thugom demo` is for laptops, not containers.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/thugom ./cmd/thugom

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/thugom --create-home thugom
COPY --from=build /out/thugom /usr/local/bin/thugom
USER thugom
WORKDIR /var/lib/thugom
ENV THUGOM_ADDR=:8080
EXPOSE 8080
# DATABASE_URL must be set, e.g. docker run -e DATABASE_URL=postgres://... thugom
ENTRYPOINT ["/usr/local/bin/thugom"]
CMD ["serve"]
