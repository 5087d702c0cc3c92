# Build: the query descriptions in .sqlx/ let the build run without a database.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked --bin nap-oversight

# Run: one self-contained binary (templates, styles and translations inside).
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent nap
COPY --from=build /src/target/release/nap-oversight /usr/local/bin/nap-oversight
USER nap
ENV NAP_BIND=0.0.0.0:8080
EXPOSE 8080
CMD ["nap-oversight", "serve"]
