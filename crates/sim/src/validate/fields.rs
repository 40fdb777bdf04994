//! Checks of single fields: durations within their range, worker counts, distributions,
//! arrivals and execution models.

use super::error::{invalid, too_big};
use super::limits::{MAX_HORIZON, MAX_STEP, MAX_WORKERS};
use super::ScenarioError;
use crate::duration::{Dist, Dur, SEC};
use crate::scenario::{Arrivals, Model};

pub(super) fn check_range(field: &str, d: Dur, lo: Dur, hi: Dur) -> Result<(), ScenarioError> {
    if d < lo || d > hi {
        return Err(invalid(field, format!("{d} is outside {lo}..{hi}")));
    }
    Ok(())
}

pub(super) fn check_workers(field: &str, workers: u32) -> Result<(), ScenarioError> {
    if workers == 0 {
        return Err(invalid(field, "must be at least 1"));
    }
    if workers > MAX_WORKERS {
        return Err(too_big(field, workers.into(), MAX_WORKERS.into()));
    }
    Ok(())
}

pub(super) fn check_dist(field: &str, d: &Dist) -> Result<(), ScenarioError> {
    match *d {
        Dist::Fixed(_) | Dist::Exp(_) => {}
        Dist::Uniform(a, b) => {
            if a > b {
                return Err(invalid(
                    field,
                    format!("uniform bounds are reversed ({a} > {b})"),
                ));
            }
        }
        Dist::LogNormal { sigma, .. } => {
            if !(sigma.is_finite() && (0.0..=4.0).contains(&sigma)) {
                return Err(invalid(field, "lognormal sigma must be between 0 and 4"));
            }
        }
    }
    if d.max() > MAX_STEP {
        return Err(invalid(
            field,
            format!(
                "can last up to {}, over the limit of {}",
                Dur(d.max()),
                Dur(MAX_STEP)
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_arrivals(a: &Arrivals) -> Result<(), ScenarioError> {
    match *a {
        Arrivals::Burst { .. } => {}
        Arrivals::Poisson { rate_per_s, count } => {
            if !(rate_per_s.is_finite() && rate_per_s > 0.0 && rate_per_s <= 1e7) {
                return Err(invalid(
                    "workload.arrivals.poisson.rate_per_s",
                    "must be a number above 0 and at most 10000000",
                ));
            }
            let horizon = count as f64 / rate_per_s * SEC as f64;
            if horizon > MAX_HORIZON as f64 {
                return Err(too_big(
                    "workload.arrivals.poisson (count / rate, seconds)",
                    (horizon / SEC as f64) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
        Arrivals::Interval { every, count } => {
            let horizon = (every.0 as u128) * count as u128;
            if horizon > MAX_HORIZON as u128 {
                return Err(too_big(
                    "workload.arrivals.interval (count × every, seconds)",
                    (horizon / SEC as u128) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
        Arrivals::ClosedLoop {
            clients,
            ref think,
            count,
        } => {
            if clients == 0 {
                return Err(invalid(
                    "workload.arrivals.closed_loop.clients",
                    "must be at least 1",
                ));
            }
            if clients > count {
                return Err(invalid("workload.arrivals.closed_loop.clients", format!("{clients} clients for {count} requests: use at most one client per request")));
            }
            check_dist("workload.arrivals.closed_loop.think", think)?;
            let per_client = (count / clients + 1) as u128;
            if per_client * think.max() as u128 > MAX_HORIZON as u128 {
                return Err(too_big(
                    "workload.arrivals.closed_loop (think × requests per client, seconds)",
                    (per_client * think.max() as u128 / SEC as u128) as u64,
                    MAX_HORIZON / SEC,
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn check_model(model: &Model, field: &str, top: bool) -> Result<(), ScenarioError> {
    match model {
        Model::Sync => Ok(()),
        Model::Async { limit } => match limit {
            Some(0) => Err(invalid(format!("{field}.limit"), "must be at least 1")),
            _ => Ok(()),
        },
        Model::Threads { workers } => check_workers(&format!("{field}.workers"), *workers),
        Model::Processes { workers, .. } => {
            if !top {
                return Err(invalid(
                    field,
                    "a server's workers run sync, async or threads",
                ));
            }
            check_workers(&format!("{field}.workers"), *workers)
        }
        Model::Server { workers, inner } => {
            if !top {
                return Err(invalid(
                    field,
                    "a server's workers run sync, async or threads",
                ));
            }
            check_workers(&format!("{field}.workers"), *workers)?;
            check_model(inner, &format!("{field}.inner"), false)?;
            if let Model::Threads { workers: t } = **inner {
                if workers.saturating_mul(t) > 4 * MAX_WORKERS {
                    return Err(too_big(
                        format!("{field} (threads in all workers)"),
                        (workers * t).into(),
                        (4 * MAX_WORKERS).into(),
                    ));
                }
            }
            Ok(())
        }
    }
}
