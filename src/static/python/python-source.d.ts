/** Python helper scripts are embedded in the binary as text (`with { type: "text" }`). */
declare module "*.py" {
  const text: string;
  export default text;
}
