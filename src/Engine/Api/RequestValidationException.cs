namespace Vespa.Engine.Api;

/// <summary>A request parameter with an unusable value; <see cref="Param"/> names it for the OpenAI error.</summary>
internal sealed class RequestValidationException : Exception
{
    public RequestValidationException(string param, string message)
        : base(message)
    {
        Param = param;
    }

    public RequestValidationException()
        : this("", "invalid request")
    {
    }

    public RequestValidationException(string message)
        : this("", message)
    {
    }

    public RequestValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Param = "";
    }

    public string Param { get; }
}
