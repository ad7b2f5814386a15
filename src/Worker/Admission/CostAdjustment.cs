namespace Vespa.Worker.Admission;

/// <summary>How a signed <c>auth_data.cost</c> was turned into a workload when it could not be used as it is.</summary>
internal enum CostAdjustment
{
    /// <summary>The cost was used (or the <c>VESPA_DEFAULT_COST</c> rule for costs &lt;= 1 applied).</summary>
    None,

    /// <summary>A negative cost: the default workload is used.</summary>
    Negative,

    /// <summary>A cost above <c>VESPA_MAX_COST</c> (or too large for a double): <c>VESPA_MAX_COST</c> is used.</summary>
    AboveMax,

    /// <summary>Not a number (a string that is not numeric, NaN, null, a boolean, an object): the default workload is used.</summary>
    NotANumber,
}
