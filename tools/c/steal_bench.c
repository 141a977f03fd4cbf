/* Static halves against pieces taken in chunks (cact/_steal.h), sigmoid float32 over 2 threads:
 * paired ratios (steal / static), median and quartiles; then, per thread, when it started and
 * ended in the static split (a shared VM's vCPUs often differ by 20-50% for seconds at a time).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fopenmp -I<python include> -Icact tools/c/steal_bench.c -o /tmp/sb -lm && /tmp/sb 100000 */
#include <Python.h>
#include "_math.h"
#include "_steal.h"
#include <omp.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
__attribute__((noinline)) void s1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=cact_sigmoid_f32(x[j]);}
static int cmp(const void*a,const void*b){double d=*(double*)a-*(double*)b; return d<0?-1:d>0;}
int main(int argc,char**argv){
  long n=argc>1?atol(argv[1]):100000; float*x=(float*)aligned_alloc(64,4*n+64)+4,*y=(float*)aligned_alloc(64,4*n+64)+4;
  for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
  int R=n>=1000000?300:3000; double *ratio=malloc(8*R), *st=malloc(8*R), *end[2]={malloc(8*R),malloc(8*R)};
  for(int r=0;r<R;r++){ double t0=now(),a;
    #pragma omp parallel num_threads(2)
    { int t=omp_get_thread_num(); long lo=cact_piece_start(y,n,4,t,2), hi=cact_piece_start(y,n,4,t+1,2); s1(x+lo,y+lo,hi-lo); end[t][r]=now()-t0; }
    a=now()-t0; st[r]=a;
    cact_cursor cur[2]; t0=now();
    cact_cursors_init(cur,y,n,4,2);
    #pragma omp parallel num_threads(2)
    { int t=omp_get_thread_num(); Py_ssize_t lo,hi; for(int v=0;v<2;v++) while(cact_claim(&cur[(t+v)%2],&lo,&hi)) s1(x+lo,y+lo,hi-lo); }
    ratio[r]=(now()-t0)/a;
  }
  qsort(ratio,R,8,cmp); qsort(st,R,8,cmp); qsort(end[0],R,8,cmp); qsort(end[1],R,8,cmp);
  printf("n=%ld: static median %.1f us (thread 0 ends at %.1f, thread 1 at %.1f); steal/static paired median %.3f (q25 %.3f q75 %.3f)\n",
         n,st[R/2]*1e6,end[0][R/2]*1e6,end[1][R/2]*1e6,ratio[R/2],ratio[R/4],ratio[3*R/4]);
  return 0;
}
