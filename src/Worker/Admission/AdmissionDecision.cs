namespace Vespa.Worker.Admission;

/// <summary>Result of <see cref="LoadTracker.TryAdmit"/>: the record to run, or the wait that was too long.</summary>
internal readonly record struct AdmissionDecision(RequestRecord? Record, double EstimatedWaitSeconds)
{
    public bool Admitted => Record is not null;
}
