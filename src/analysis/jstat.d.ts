// The part of jstat (npm `jstat`, no bundled types) that src/analysis/student-t.ts uses.
declare module 'jstat' {
    interface StudentT {
        /** P(T <= x) for T ~ Student t with `dof` degrees of freedom. */
        cdf(x: number, dof: number): number;
        /** The p-quantile of Student t with `dof` degrees of freedom. */
        inv(p: number, dof: number): number;
    }
    const jstat: { jStat: { studentt: StudentT } };
    export default jstat;
}
