//! `rin serve`: the arguments turned into a [`rin_runtime::server`] on a tokio runtime.

use std::process::ExitCode;

use anyhow::{Context, Result};
use rin_runtime::server::{pipeline_server, shutdown_signal, BatchConfig, ServerConfig};
use rin_runtime::Model;

use crate::cli::ServeArgs;
use crate::model_options::{ks_of, model_dir, pipeline_config, verify};

/// Runs the server until SIGTERM or Ctrl-C, then drains it.
pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    let mut pipeline = pipeline_config(&args.model, args.tokenizer.clone());
    // A server lives long: memory taken by an outsized request goes back after it (measured in
    // runtime/README.md: 104 MB instead of 695 MB after four 1,500-token texts, same throughput).
    pipeline.ort.no_cpu_arena = true;
    let model = Model::open_with(&model_dir(&args.model)?, verify(&args.model))?;
    let ks = if args.ks.is_empty() {
        None
    } else {
        Some(ks_of(&args.ks, "--ks")?)
    };
    let (max_batch, max_wait) = if args.no_batching {
        (1, std::time::Duration::ZERO)
    } else {
        (args.max_batch.max(1), args.max_wait)
    };
    if args.idle_timeout <= args.request_timeout {
        anyhow::bail!(
            "--idle-timeout ({:?}) must be longer than --request-timeout ({:?}): a connection waits for its answer",
            args.idle_timeout,
            args.request_timeout
        );
    }
    let config = ServerConfig {
        batch: BatchConfig {
            workers: args.workers.max(1),
            max_batch,
            max_wait,
            queue_capacity: args.queue.max(1),
        },
        max_body_bytes: args.max_body_bytes,
        max_texts: args.max_texts.max(1),
        request_timeout: args.request_timeout,
        shutdown_timeout: args.shutdown_timeout,
        idle_timeout: args.idle_timeout,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("rin-http")
        .build()
        .context("cannot start the tokio runtime")?;
    let outcome = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener
            .local_addr()
            .context("the listener has no address")?;
        let server = pipeline_server(model, pipeline, ks, &config)?;
        let info = server.state().info().clone();
        tracing::info!(
            ks = ?info.ks,
            default_k = info.default_k,
            workers = config.batch.workers,
            max_batch = config.batch.max_batch,
            max_wait = ?config.batch.max_wait,
            queue = config.batch.queue_capacity,
            "listening on http://{addr}"
        );
        server.serve(listener, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    });
    // A worker left inside a model run must not hold the exit (see WORKER_JOIN_MARGIN).
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    outcome
}
