/// The label and annotation keys Cubicle puts on every Kubernetes object it manages.
public enum Labels {
    /// `app.kubernetes.io/managed-by`, always `cubicle` on managed objects.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// The value of `managedBy` on managed objects.
    public static let managedByValue = "cubicle"
    /// The workspace an object belongs to.
    public static let workspace = "cubicle.dev/workspace"
    /// The user owning the workspace.
    public static let user = "cubicle.dev/user"
    /// The blueprint the workspace was provisioned from.
    public static let blueprint = "cubicle.dev/blueprint"
    /// The job that last applied the object.
    public static let jobID = "cubicle.dev/job-id"
    /// Set on storage claims kept across a full delete (`retain` or shared volumes).
    public static let retain = "cubicle.dev/retain"
    /// On the one object per workspace that stands for it (its client Secret), found by this label
    /// when listing workspaces.
    public static let anchor = "cubicle.dev/anchor"
    /// On shared storage claims: the storage id they serve.
    public static let sharedID = "cubicle.dev/shared-id"
    /// The label selector matching every object Cubicle manages.
    public static let managedSelector = "\(managedBy)=\(managedByValue)"
}
