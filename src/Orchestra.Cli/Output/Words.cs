using Orchestra.Configuration;

namespace Orchestra.Cli.Output;

/// <summary>Configuration values written back the way a user writes them in YAML.</summary>
internal static class Words
{
    public static string Of(RestartPolicy policy) => policy switch
    {
        RestartPolicy.No => "no",
        RestartPolicy.OnFailure => "on-failure",
        _ => "always",
    };

    public static string Of(HealthConfig health) => health.Kind switch
    {
        HealthKind.Http => $"http {health.Target}",
        HealthKind.Log => $"log /{health.Target}/",
        HealthKind.Tcp => "tcp",
        _ => "none",
    };

    public static string Of(VendorHealth health) => health.Kind switch
    {
        VendorHealthKind.Command => $"command {string.Join(' ', health.Command)}",
        VendorHealthKind.Tcp => "tcp",
        _ => "none",
    };
}
