//! Steps: each class's steps checked and resolved into [`CStep`]s (pools by index, `repeat`s
//! unrolled), counting what they cost for the event budget.

use super::error::{invalid, too_big};
use super::fields::check_dist;
use super::limits::{MAX_DEPTH, MAX_EXPANDED_STEPS, MAX_STEPS};
use super::{CPool, CStep, ScenarioError};
use crate::scenario::Step;

#[derive(Default)]
pub(super) struct Cost {
    pub(super) events: f64,
    pub(super) cpu: f64,
}

pub(super) fn check_steps(
    steps: &[Step],
    field: &str,
    depth: usize,
    count: &mut usize,
    pools: &[CPool],
    cost: &mut Cost,
) -> Result<Vec<CStep>, ScenarioError> {
    if depth > MAX_DEPTH {
        return Err(too_big(
            format!("{field} (nesting depth)"),
            depth as u64,
            MAX_DEPTH as u64,
        ));
    }
    let mut out = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        *count += 1;
        if *count > MAX_STEPS {
            return Err(too_big(
                format!("{field} (steps in one class)"),
                *count as u64,
                MAX_STEPS as u64,
            ));
        }
        let f = format!("{field}[{i}]");
        cost.events += 4.0;
        out.push(match s {
            Step::Cpu(d) => {
                check_dist(&format!("{f}.cpu"), d)?;
                cost.cpu += d.mean();
                CStep::Cpu(d.clone())
            }
            Step::CpuNogil(d) => {
                check_dist(&format!("{f}.cpu_nogil"), d)?;
                cost.cpu += d.mean();
                CStep::CpuNogil(d.clone())
            }
            Step::Io(d) => {
                check_dist(&format!("{f}.io"), d)?;
                CStep::Io(d.clone())
            }
            Step::BlockingIo(d) => {
                check_dist(&format!("{f}.blocking_io"), d)?;
                CStep::BlockingIo(d.clone())
            }
            Step::Offload(o) => {
                let idx = pools.iter().position(|p| p.name == o.pool).ok_or_else(|| {
                    invalid(
                        format!("{f}.offload.pool"),
                        format!("no pool named {:?} (declare it in `pools`)", o.pool),
                    )
                })?;
                cost.events += 4.0;
                let inner = check_steps(
                    &o.steps,
                    &format!("{f}.offload.steps"),
                    depth + 1,
                    count,
                    pools,
                    cost,
                )?;
                if inner.is_empty() {
                    return Err(invalid(
                        format!("{f}.offload.steps"),
                        "needs at least one step",
                    ));
                }
                CStep::Offload(idx as u16, inner)
            }
            Step::Gather(branches) => {
                if branches.is_empty() {
                    return Err(invalid(format!("{f}.gather"), "needs at least one branch"));
                }
                let mut bs = Vec::with_capacity(branches.len());
                for (j, b) in branches.iter().enumerate() {
                    cost.events += 4.0;
                    let inner = check_steps(
                        b,
                        &format!("{f}.gather[{j}]"),
                        depth + 1,
                        count,
                        pools,
                        cost,
                    )?;
                    if inner.is_empty() {
                        return Err(invalid(
                            format!("{f}.gather[{j}]"),
                            "a branch needs at least one step",
                        ));
                    }
                    bs.push(inner);
                }
                CStep::Gather(bs)
            }
            Step::Repeat(r) => {
                if r.times == 0 {
                    return Err(invalid(format!("{f}.repeat.times"), "must be at least 1"));
                }
                if r.times as usize > MAX_EXPANDED_STEPS {
                    return Err(too_big(
                        format!("{f}.repeat.times"),
                        r.times.into(),
                        MAX_EXPANDED_STEPS as u64,
                    ));
                }
                let mut body_cost = Cost::default();
                let body = check_steps(
                    &r.steps,
                    &format!("{f}.repeat.steps"),
                    depth + 1,
                    count,
                    pools,
                    &mut body_cost,
                )?;
                if body.is_empty() {
                    return Err(invalid(
                        format!("{f}.repeat.steps"),
                        "needs at least one step",
                    ));
                }
                cost.events += body_cost.events * r.times as f64;
                cost.cpu += body_cost.cpu * r.times as f64;
                // Unrolled here, so the engine never sees a loop.
                let n = r.times as usize;
                if expanded_len(&body).saturating_mul(n) > MAX_EXPANDED_STEPS {
                    return Err(too_big(
                        format!("{f}.repeat (steps once unrolled)"),
                        (expanded_len(&body).saturating_mul(n)) as u64,
                        MAX_EXPANDED_STEPS as u64,
                    ));
                }
                for _ in 0..n {
                    out.extend(body.iter().cloned());
                }
                continue;
            }
        });
    }
    Ok(out)
}

/// Steps of a resolved list, counting nested ones.
fn expanded_len(steps: &[CStep]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            CStep::Offload(_, inner) => 1 + expanded_len(inner),
            CStep::Gather(bs) => 1 + bs.iter().map(|b| expanded_len(b)).sum::<usize>(),
            _ => 1,
        })
        .sum()
}
