import { AdminNav } from "../admin/AdminNav";
import { AuditLog } from "../admin/AuditLog";
import { StatsPanel } from "../admin/StatsPanel";
import { UserList } from "../admin/UserList";
import { UserPage } from "../admin/UserPage";
import { useDocumentTitle } from "../components/use-document-title";

/**
 * `#/admin`, `#/admin/users/<id>`, `#/admin/audit`. Nothing is hidden from non-admins here: the
 * server refuses them, and that refusal (FORBIDDEN, with its correlation id) is what they see.
 */
export function Admin({ params }: { params: string[] }) {
  const [page, id] = params;
  useDocumentTitle(page === "audit" ? "Audit log · Admin" : page === "users" && id ? "User · Admin" : "Admin");
  return (
    <>
      <h1>Admin</h1>
      {page === "users" && id ? (
        <>
          <AdminNav current="user" />
          <UserPage key={id} id={id} />
        </>
      ) : page === "audit" ? (
        <>
          <AdminNav current="audit" />
          <AuditLog />
        </>
      ) : page === undefined ? (
        <>
          <AdminNav current="overview" />
          <StatsPanel />
          <UserList />
        </>
      ) : (
        <p>No such admin page.</p>
      )}
    </>
  );
}
