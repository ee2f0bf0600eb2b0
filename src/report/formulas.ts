// The formulas behind every number, printed in each report so a reader can check them by hand.

export interface Formula {
    name: string;
    text: string;
}

export const FORMULAS: readonly Formula[] = [
    {
        name: 'Split point k',
        text: 'ops 0..k (execution order of subgraph 0) run on the UE, ops k+1..N-1 on the server; the cut S(k) is every non-constant tensor made by the head (or a model input) that the tail reads, in bytes.',
    },
    {
        name: 'Statistic',
        text: "one value per repetition (the median of its raw samples; the benchmark's average when it reported none), then across the n repetitions the mean with a two-sided 95 % Student-t interval x̄ ± t(0.975, n−1)·s/√n; see docs/statistics.md.",
    },
    {
        name: 'Estimated T_UE(k)',
        text: "Σ_{i<=k} t_UE(i) per profiled repetition: cumulative per-op average time of the full model profiled on the UE, over ops matched on both devices (by node index when both ran the same file, else by output tensor names), scaled by that run's median/mean inference time so it is the same statistic as the measurements.",
    },
    {
        name: 'Estimated T_srv(k)',
        text: 'Σ_i t_srv(i) − Σ_{i<=k} t_srv(i) per profiled repetition on the server (same scaling).',
    },
    {
        name: 'Measured T_UE(k), T_srv(k)',
        text: 'head sub-model (ops 0..k) timed on the UE, tail sub-model (ops k+1..N-1) timed on the server, without profiling; same statistic.',
    },
    {
        name: 'Estimate error',
        text: "estimated − measured (ms) and 100·(estimated − measured)/measured (%); flagged only when the estimate lies outside the measurement's interval.",
    },
    {
        name: 'T_total(k)',
        text: 'T_UE(k) + T_srv(k); its interval adds the two variances of the means (Welch–Satterthwaite degrees of freedom); no network.',
    },
    {
        name: 'T_UE(full)',
        text: 'full model on the UE without profiling (measured) when available, else the estimated total Σ_i t_UE(i).',
    },
    {
        name: 'Split point numbers',
        text: "k is the op index in the file; the study's layer number counts only ops on activations in 0..k (constant-folding ops such as the DEQUANTIZE of fp16 weights are not layers).",
    },
    {
        name: 'Data size',
        text: 'cut bytes S(k) = every tensor crossing the cut (ours, the default); layer output bytes = op k\'s own outputs (the study\'s "output of layer x").',
    },
    {
        name: 'UE improvement',
        text: "%UE(k) = 100·(B − T_UE(k)) / B with the study's base B per method: estimated rows B = the same profile's total Σ_i t_UE(i); measured rows B = the measured full model T_UE(full).",
    },
    {
        name: 'Total improvement',
        text: '%tot(k) = 100·(B − T_total(k)) / B (same bases); negative when splitting is slower.',
    },
    {
        name: 'Improvement interval',
        text: 'Estimated (paired): mean and Student-t interval of the per-repetition values 100·(B_r − T_r)/B_r, UE repetition r with server repetition r for the total (delta method below when the devices have different repetition counts). Measured (independent jobs): 100·(1 − R), R = T̄/B̄, delta method Var(R)/R² ≈ Σ v_i/T̄² + v_B/B̄² (v = s²/n; Casella & Berger §5.5.4), Welch–Satterthwaite df on those terms; n = the fewest repetitions. No interval when a side has n < 2, nor when g = t²·v_B/B̄² ≥ 1 (the interval of the base itself reaches 0: the Fieller interval of the ratio is unbounded, so the value is "cannot tell", no gain). An upper bound above 100 % is capped at 100 (no time is negative).',
    },
    {
        name: 'Transfer',
        text: 'T_tx(k) = S(k)·8 / R_UL + RTT (+ S_result·8 / R_DL when the profile returns the result); R in Mbit/s, so bytes·8/(R·1000) is ms.',
    },
    {
        name: 'End-to-end',
        text: "E(k) = T_UE(k) + T_tx(k) + T_srv(k), using measured times where both halves were measured, else estimated. Interval: the compute time's (T_UE(k) + T_srv(k)) with its lower bound clipped at 0, plus T_tx(k), so no bound falls below the transfer time.",
    },
    {
        name: 'Options per network',
        text: 'all on UE: E = T_UE(full), nothing sent; all on server: E = S_input·8/R_UL + RTT (+ return) + T_srv(full); best = smallest E over all splits and both options (equal values: all on UE, then the earliest split); "tie" listing every option whose interval overlaps the best\'s, in rank order (each the compute interval clipped at 0, plus the network time).',
    },
    {
        name: 'Break-even uplink',
        text: 'splitting at k beats all on UE when R_UL > S(k)·8 / (1000·(T_UE(full) − T_UE(k) − T_srv(k) − RTT − return)) Mbit/s; "never" when that saving is <= 0.',
    },
    {
        name: 'Not estimable',
        text: 'a split inside a delegate partition (one profile row for many ops, e.g. TfLiteXNNPackDelegate) has no per-op times on either side of the cut; set use_xnnpack: false to get per-op rows.',
    },
];
